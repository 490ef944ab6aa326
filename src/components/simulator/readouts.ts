import type { Alarm, BeatMetrics, DeviceSettings } from '#sim/index.ts';

export interface Readouts {
  heartRateBpm: number | null;
  dsPeakRatio: number | null;
  dsAreaRatio: number | null;
  augmentedDiastolicMmHg: number | null;
  systolicMmHg: number | null;
  endDiastolicMmHg: number | null;
}

export const EMPTY_READOUTS: Readonly<Readouts> = Object.freeze({
  heartRateBpm: null,
  dsPeakRatio: null,
  dsAreaRatio: null,
  augmentedDiastolicMmHg: null,
  systolicMmHg: null,
  endDiastolicMmHg: null,
});

type ReadoutBeat = Pick<
  BeatMetrics,
  'rrMs' | 'dsPeakRatio' | 'dsAreaRatio' | 'diastolicPeakMmHg' | 'systolicPeakMmHg' | 'endDiastolicMmHg'
>;

function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/**
 * Readouts as a device shows them: heart rate from the mean RR of the last beats (a single RR jumps with
 * heart-rate variability), pressures and ratios of the latest measured beat.
 */
export function readoutsFromBeats(beats: readonly ReadoutBeat[], averageOver = 4): Readouts {
  const last = beats[beats.length - 1];
  if (!last) return { ...EMPTY_READOUTS };
  const recent = beats.slice(-averageOver).filter((b) => b.rrMs > 0 && Number.isFinite(b.rrMs));
  const meanRr = recent.reduce((s, b) => s + b.rrMs, 0) / Math.max(1, recent.length);
  return {
    heartRateBpm: recent.length > 0 ? 60000 / meanRr : null,
    dsPeakRatio: finite(last.dsPeakRatio),
    dsAreaRatio: finite(last.dsAreaRatio),
    augmentedDiastolicMmHg: finite(last.diastolicPeakMmHg),
    systolicMmHg: finite(last.systolicPeakMmHg),
    endDiastolicMmHg: finite(last.endDiastolicMmHg),
  };
}

/** A number for a readout: fixed decimals, or an en dash while there is nothing to show. */
export function formatReadout(value: number | null, decimals = 0): string {
  return value === null ? '–' : value.toFixed(decimals);
}

/** Whole seconds as m:ss. */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

export function activeAlarms(alarms: readonly Alarm[]): Alarm[] {
  return alarms.filter((a) => a.clearedAtMs === null);
}

/** The sentence the polite live region reads every few seconds. */
export function describeState(state: {
  status: 'idle' | 'running' | 'paused' | 'frozen' | 'stopped';
  timeMs: number;
  readouts: Readouts;
  settings: Pick<DeviceSettings, 'inflateDelayMs' | 'deflateDelayMs' | 'pressureMmHg' | 'adaptive'>;
  lastFeedback: string | null;
  alarms: readonly Alarm[];
}): string {
  const r = state.readouts;
  const s = state.settings;
  const parts = [
    `${state.status === 'idle' ? 'Ready' : state.status[0]?.toUpperCase() + state.status.slice(1)} at ${formatClock(state.timeMs)}.`,
    `Heart rate ${formatReadout(r.heartRateBpm)} bpm, D/S ${formatReadout(r.dsPeakRatio, 2)}.`,
    `${s.adaptive ? 'Adaptive timing' : `Inflation ${s.inflateDelayMs} ms, deflation ${s.deflateDelayMs} ms`}, pressure ${s.pressureMmHg} mmHg.`,
  ];
  if (state.lastFeedback) parts.push(`Last beat: ${state.lastFeedback}.`);
  const active = activeAlarms(state.alarms);
  parts.push(active.length === 0 ? 'No alarms.' : `Alarm: ${active.map((a) => a.message).join(' ')}`);
  return parts.join(' ');
}
