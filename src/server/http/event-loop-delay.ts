/**
 * How long the process's event loop kept callbacks waiting, for /metrics: the 99th percentile and the
 * maximum over the last complete window (Node's monitorEventLoopDelay). A request's time in the handler is
 * in iecpa_http_request_duration_seconds; the time it waited for the loop before that is here, and it is
 * what grows when one request holds the loop or the process is short of CPU.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { registerGauge } from './metrics.ts';

/** Length of a window, ms: a scrape every 15-60 s sees the last full window. */
export const EVENT_LOOP_WINDOW_MS = 30_000;
/** Sampling interval of the monitor, ms (Node's default). */
const RESOLUTION_MS = 10;

/** Starts watching the loop and registers the two gauges; returns the function that stops it. */
export function watchEventLoopDelay(windowMs = EVENT_LOOP_WINDOW_MS): () => void {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  let p99Seconds = 0;
  let maxSeconds = 0;
  // The monitor's samples are the time between its timer's turns, the sampling interval included: the delay
  // is what exceeds it. An empty histogram (no sample in the window) reads 0.
  const delaySeconds = (nanoseconds: number): number => Math.max(0, nanoseconds / 1e6 - RESOLUTION_MS) / 1000;
  const timer = setInterval(() => {
    p99Seconds = histogram.count > 0 ? delaySeconds(histogram.percentile(99)) : 0;
    maxSeconds = histogram.count > 0 ? delaySeconds(histogram.max) : 0;
    histogram.reset();
  }, windowMs);
  timer.unref();
  const window = `the last complete ${windowMs / 1000} s`;
  registerGauge(
    'iecpa_event_loop_delay_p99_seconds',
    `99th percentile of the event loop's delay over ${window}, in this process.`,
    () => p99Seconds,
  );
  registerGauge(
    'iecpa_event_loop_delay_max_seconds',
    `Longest event loop delay over ${window}, in this process.`,
    () => maxSeconds,
  );
  return () => {
    clearInterval(timer);
    histogram.disable();
  };
}
