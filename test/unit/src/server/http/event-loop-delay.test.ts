import { afterEach, expect, test } from 'vitest';
import { watchEventLoopDelay } from '#src/server/http/event-loop-delay.ts';
import { renderMetrics, resetMetrics } from '#src/server/http/metrics.ts';

let stop: (() => void) | undefined;
afterEach(() => {
  stop?.();
  resetMetrics();
});

function gauge(name: string): number {
  const line = renderMetrics()
    .split('\n')
    .find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`${name} is not in /metrics`);
  return Number(line.slice(name.length + 1));
}

/** Polls `check` every few milliseconds until it holds, or fails after `timeoutMs`. */
async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`the condition did not hold in time:\n${renderMetrics()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test('a callback that holds the loop shows in the delay gauges of the next window, and leaves them after', async () => {
  stop = watchEventLoopDelay(100);
  expect(gauge('iecpa_event_loop_delay_p99_seconds')).toBe(0);
  expect(renderMetrics()).toContain('# TYPE iecpa_event_loop_delay_max_seconds gauge');
  // The monitor measures from its previous sample: let it take its first ones (it samples every 10 ms).
  await new Promise((resolve) => setTimeout(resolve, 30));
  const heldFrom = Date.now();
  while (Date.now() - heldFrom < 250) {
    // Holds the event loop, as a request doing heavy work on the request thread would.
  }
  await until(() => gauge('iecpa_event_loop_delay_max_seconds') >= 0.2, 3000);
  expect(gauge('iecpa_event_loop_delay_max_seconds')).toBeLessThan(5);
  // Windows without such a callback bring the figures back down.
  await until(() => gauge('iecpa_event_loop_delay_max_seconds') < 0.1, 3000);
  expect(gauge('iecpa_event_loop_delay_p99_seconds')).toBeLessThan(0.1);
});
