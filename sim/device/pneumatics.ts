/**
 * Cuff pneumatics: each cuff follows its valve. Inflating: first-order rise toward the setpoint
 * (tau 50 ms, sim/README; limited by the reservoir). Venting: first-order fall toward the vacuum floor
 * (tau 30 ms). A relief valve caps every cuff at 300 mmHg (FDA 510(k) K190683, K033617). The
 * first-order steps use the exact discretisation (1 - exp(-dt/tau)), so they never overshoot.
 */
export const INFLATE_TAU_MS = 50;
export const VENT_TAU_MS = 30;
/** Relief valve opening pressure, mmHg (device maximum, FDA 510(k) K190683). */
export const RELIEF_PRESSURE_MMHG = 300;
/**
 * Cuff pressure the vacuum pulls to when venting, mmHg gauge. Assumed (no published figure): a vacuum
 * reservoir at about -10 mmHg on the cuff side empties the bladders without pulling on the skin.
 */
export const VACUUM_FLOOR_MMHG = -10;
export const CUFF_COUNT = 3;

export class Pneumatics {
  /** Cuff pressures, mmHg (0 calf, 1 lower thigh, 2 upper thigh). */
  readonly pressureMmHg = new Float64Array(CUFF_COUNT);
  /** Valve state per cuff: 1 inflating toward `setpointMmHg`, 0 venting. */
  readonly inflating = new Uint8Array(CUFF_COUNT);
  readonly setpointMmHg = new Float64Array(CUFF_COUNT);
  private readonly inflateAlpha: number;
  private readonly ventAlpha: number;

  constructor(dtMs: number) {
    this.inflateAlpha = 1 - Math.exp(-dtMs / INFLATE_TAU_MS);
    this.ventAlpha = 1 - Math.exp(-dtMs / VENT_TAU_MS);
    this.pressureMmHg.fill(0);
  }

  openInflate(cuff: number, setpointMmHg: number): void {
    this.inflating[cuff] = 1;
    this.setpointMmHg[cuff] = Math.min(RELIEF_PRESSURE_MMHG, Math.max(0, setpointMmHg));
  }

  vent(cuff: number): void {
    this.inflating[cuff] = 0;
  }

  ventAll(): void {
    this.inflating.fill(0);
  }

  anyInflating(): boolean {
    return this.inflating[0] === 1 || this.inflating[1] === 1 || this.inflating[2] === 1;
  }

  step(): void {
    const p = this.pressureMmHg;
    for (let i = 0; i < CUFF_COUNT; i++) {
      const target = this.inflating[i] === 1 ? this.setpointMmHg[i]! : VACUUM_FLOOR_MMHG;
      const alpha = this.inflating[i] === 1 ? this.inflateAlpha : this.ventAlpha;
      let next = p[i]! + (target - p[i]!) * alpha;
      if (next > RELIEF_PRESSURE_MMHG) next = RELIEF_PRESSURE_MMHG;
      if (next < VACUUM_FLOOR_MMHG) next = VACUUM_FLOOR_MMHG;
      p[i] = next;
    }
  }
}
