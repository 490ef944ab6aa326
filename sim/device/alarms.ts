/** Device alarms: raised and cleared with times; the list is the alarm log the console shows. */
export type AlarmCode = 'over-pressure' | 'lost-ecg' | 'heart-rate' | 'low-ds' | 'timing';

export interface Alarm {
  code: AlarmCode;
  message: string;
  raisedAtMs: number;
  /** null while active. */
  clearedAtMs: number | null;
}

/** No detected beat for this long means the ECG is lost (sim/README: > 3 s). */
export const LOST_ECG_MS = 3000;
/** Heart-rate window outside which the device alarms, bpm (typical ECP device limits; assumed). */
export const HEART_RATE_ALARM_LOW_BPM = 40;
export const HEART_RATE_ALARM_HIGH_BPM = 140;
/**
 * Low augmentation: mean D/S of the last LOW_DS_BEATS assisted beats below this ratio. 1.0 is below the
 * 1.2 clinical target (Front Physiol 2021;12:656224) so that the alarm means "ineffective", not "sub-optimal".
 */
export const LOW_DS_RATIO = 1.0;
export const LOW_DS_BEATS = 8;
/**
 * Harmful timing: this many consecutive assisted beats with the cuffs still pressurised at ejection (late
 * deflation) or the augmentation reaching the root during ejection (early inflation) raise the timing
 * alarm; one beat of another class clears it. These are the two errors that raise afterload (IABP timing
 * teaching: Bolooki, Clinical Application of the Intra-Aortic Balloon Pump, 3rd ed., 1998, ch. 6; Quaal,
 * Comprehensive Intra-Aortic Balloon Counterpulsation, 2nd ed., 1993), which consoles flag rather than
 * leave to the operator's eye. 5 beats matches the rubric's default limit on consecutive late deflations
 * (sim/metrics/score.ts); an isolated beat (an early R, an HRV swing) does not alarm.
 */
export const HARMFUL_TIMING_BEATS = 5;
/** Cuff pressure above setpoint by this much (or at the 300 mmHg relief) is over-pressure. */
export const OVER_PRESSURE_MARGIN_MMHG = 20;

const MESSAGES: Record<AlarmCode, string> = {
  'over-pressure': 'Cuff over-pressure: pressure above the setpoint or at the 300 mmHg relief valve.',
  'lost-ecg': 'ECG lost: no R wave detected for more than 3 s. Cuffs deflated; check the electrodes.',
  'heart-rate': 'Heart rate out of range (40-140 bpm).',
  'low-ds': 'Low augmentation: D/S ratio below 1.0. Check timing and pressure.',
  timing:
    'Harmful timing: cuffs still pressurised at ejection (late deflation) or augmentation during ejection (early inflation) on 5 consecutive beats. Check the inflation and deflation delays.',
};

export class AlarmLog {
  readonly alarms: Alarm[] = [];
  private readonly active = new Map<AlarmCode, Alarm>();

  set(code: AlarmCode, on: boolean, nowMs: number): void {
    const current = this.active.get(code);
    if (on && !current) {
      const alarm: Alarm = { code, message: MESSAGES[code], raisedAtMs: nowMs, clearedAtMs: null };
      this.alarms.push(alarm);
      this.active.set(code, alarm);
    } else if (!on && current) {
      current.clearedAtMs = nowMs;
      this.active.delete(code);
    }
  }

  isActive(code: AlarmCode): boolean {
    return this.active.has(code);
  }
}
