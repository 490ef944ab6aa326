/** The console's panels: status text, readouts, the setting controls, a beat's facts and the session summary. */
import { useState } from 'preact/hooks';
import type { Alarm, BeatMetrics, DeviceSettings, SettingsPatch } from '#sim/index.ts';
import { activeAlarms, formatClock, formatReadout, type Readouts } from './readouts.ts';
import { CLASS_LABELS, type PracticeSummary } from './session-summary.ts';
import {
  SETTING_STEPS,
  type SettingLimits,
  SHORTCUT_HELP,
  type SteppedSetting,
  settingKeys,
  sliderKeyDelta,
} from './setting-steps.ts';

/** What the console is doing (the island's state machine). */
export type ConsoleStatus = 'loading' | 'idle' | 'running' | 'paused' | 'frozen' | 'stopping' | 'stopped';

export function statusLabel(status: ConsoleStatus, autoPaused: boolean): string {
  switch (status) {
    case 'loading':
      return 'Loading…';
    case 'idle':
      return 'Ready';
    case 'running':
      return 'Running';
    case 'paused':
      return autoPaused ? 'Paused (tab hidden)' : 'Paused';
    case 'frozen':
      return 'Frozen';
    case 'stopping':
      return 'Stopping…';
    case 'stopped':
      return 'Stopped';
  }
}

/** Every label statusLabel gives, for SteadyText. */
export const STATUS_LABELS = [
  'Loading…',
  'Ready',
  'Running',
  'Paused',
  'Paused (tab hidden)',
  'Frozen',
  'Stopping…',
  'Stopped',
] as const;

/**
 * Text that changes with the console's state but keeps one width: the longest wording it can show is laid
 * out, invisible, in the same grid cell (as generated content, so it is in neither the text nor the
 * accessible name), so a button or status changing its words moves nothing around it (no layout shift on
 * Start). The longest in characters is taken as the widest: true of the console's labels, where it is
 * either the shorter ones with words added ("Start again", "Paused (tab hidden)") or twice as long.
 */
export function SteadyText(props: { text: string; all: readonly string[] }) {
  const widest = props.all.reduce((a, b) => (b.length > a.length ? b : a), props.text);
  return (
    <span class="sim-steady" data-widest={widest}>
      <span>{props.text}</span>
    </span>
  );
}

/**
 * A control's keyboard shortcut printed on it. Hidden from assistive technology, which gets the same keys
 * from the control's aria-keyshortcuts; not shown while single-key shortcuts are off.
 */
export function KeyHint(props: { keys: string; on: boolean }) {
  if (!props.on) return null;
  return (
    <span class="sim-key-hint" aria-hidden="true">
      <kbd class="sim-kbd">{props.keys}</kbd>
    </span>
  );
}

/** The letter keys that raise and lower a setting (setting-steps.ts), for its hints and aria-keyshortcuts. */
export interface SettingKeys {
  up: string;
  down: string;
}

export function Readout(props: { label: string; value: string; unit: string; id: string }) {
  return (
    <div class="sim-readout" data-readout={props.id}>
      <dt>{props.label}</dt>
      <dd>
        <span class="sim-readout__value">{props.value}</span>
        {props.unit && <span class="sim-readout__unit"> {props.unit}</span>}
      </dd>
    </div>
  );
}

export function SettingControl(props: {
  id: string;
  label: string;
  unit: string;
  setting: SteppedSetting;
  value: number;
  limits: SettingLimits;
  onStep: (setting: SteppedSetting, delta: number) => void;
  onSet: (value: number) => void;
  hint?: string | undefined;
  /** The setting's shortcut keys while single-key shortcuts are on. */
  keys?: SettingKeys | undefined;
}) {
  // While the slider is dragged only the label follows; the device gets the value on release, so a drag
  // is one control-log entry rather than dozens.
  const [draft, setDraft] = useState<number | null>(null);
  const shown = draft ?? props.value;
  const { fine, coarse } = SETTING_STEPS[props.setting];
  const range = props.limits[props.setting];
  const inputId = `sim-${props.id}`;
  const u = props.unit;
  const keys = props.keys;
  return (
    <div class="sim-setting">
      <div class="sim-setting__head">
        <label for={inputId} class="sim-setting__label">
          {props.label}:{' '}
          <output for={inputId} class="sim-setting__value" data-setting={props.setting}>
            {shown}
          </output>{' '}
          {u}
        </label>
        {keys && (
          <span class="sim-setting__keys" aria-hidden="true">
            <kbd class="sim-kbd">{keys.down}</kbd> −{fine} <kbd class="sim-kbd">{keys.up}</kbd> +{fine}
            <span class="sim-setting__shift">
              {' '}
              <kbd class="sim-kbd">Shift</kbd> ±{coarse}
            </span>
          </span>
        )}
      </div>
      <div class="sim-setting__row">
        <button
          type="button"
          class="sim-step"
          aria-label={`${props.label} minus ${coarse} ${u}`}
          aria-keyshortcuts={keys ? `Shift+${keys.down}` : undefined}
          onClick={() => props.onStep(props.setting, -coarse)}
        >
          −{coarse}
        </button>
        <button
          type="button"
          class="sim-step"
          aria-label={`${props.label} minus ${fine} ${u}`}
          aria-keyshortcuts={keys?.down}
          onClick={() => props.onStep(props.setting, -fine)}
        >
          −{fine}
        </button>
        <input
          id={inputId}
          type="range"
          min={range.min}
          max={range.max}
          step={fine}
          value={shown}
          aria-valuetext={`${shown} ${u}`}
          aria-keyshortcuts={keys ? `${keys.up} ${keys.down} Shift+${keys.up} Shift+${keys.down}` : undefined}
          onKeyDown={(e) => {
            // Arrows step by the fine step and Page Up/Down by the coarse one from the exact value (the
            // native slider would snap a value such as 267 to its 5 ms grid).
            const delta = sliderKeyDelta(e.key, fine, coarse);
            if (delta === null) return;
            e.preventDefault();
            props.onStep(props.setting, delta);
          }}
          onInput={(e) => setDraft(Number((e.currentTarget as HTMLInputElement).value))}
          onChange={(e) => {
            setDraft(null);
            props.onSet(Number((e.currentTarget as HTMLInputElement).value));
          }}
        />
        <button
          type="button"
          class="sim-step"
          aria-label={`${props.label} plus ${fine} ${u}`}
          aria-keyshortcuts={keys?.up}
          onClick={() => props.onStep(props.setting, fine)}
        >
          +{fine}
        </button>
        <button
          type="button"
          class="sim-step"
          aria-label={`${props.label} plus ${coarse} ${u}`}
          aria-keyshortcuts={keys ? `Shift+${keys.up}` : undefined}
          onClick={() => props.onStep(props.setting, coarse)}
        >
          +{coarse}
        </button>
      </div>
      {props.hint && <p class="sim-setting__hint">{props.hint}</p>}
    </div>
  );
}

export function BeatFacts(props: { beat: BeatMetrics }) {
  const b = props.beat;
  const ref = b.reference;
  const row = (label: string, value: string, refValue?: string) => (
    <tr>
      <th scope="row">{label}</th>
      <td>{value}</td>
      <td>{refValue ?? '–'}</td>
    </tr>
  );
  const n = (v: number | null | undefined, d = 0): string =>
    v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(d);
  return (
    <table class="sim-beat-facts">
      <caption class="visually-hidden">This beat against the same beat unassisted</caption>
      <thead>
        <tr>
          <th scope="col">Measure</th>
          <th scope="col">This beat</th>
          <th scope="col">Unassisted</th>
        </tr>
      </thead>
      <tbody>
        {row('Inflation error, ms (− early)', n(b.inflationErrorMs))}
        {row('Deflation error, ms (+ late)', n(b.deflationErrorMs))}
        {row('D/S peak ratio', n(b.dsPeakRatio, 2), n(ref?.dsPeakRatio, 2))}
        {row('Systolic, mmHg', n(b.systolicPeakMmHg), n(ref?.systolicPeakMmHg))}
        {row('End-diastolic, mmHg', n(b.endDiastolicMmHg), n(ref?.endDiastolicMmHg))}
      </tbody>
    </table>
  );
}

export function SummaryView(props: { summary: PracticeSummary }) {
  const s = props.summary;
  return (
    <section class="sim-summary" aria-labelledby="sim-summary-heading" data-testid="summary">
      <h2 id="sim-summary-heading" class="sim-heading">
        Session summary
      </h2>
      <p class="sim-summary__score">
        Score <strong>{s.score0to100.toFixed(1)}</strong> of 100 ({s.passed ? 'would pass' : 'would not pass'} the
        default assessment rubric) over {formatClock(s.durationMs)}.
      </p>
      <p>
        Time to first good settings (five beats in a row meeting every criterion):{' '}
        <strong>{s.timeToGoodMs === null ? 'not reached' : formatClock(s.timeToGoodMs)}</strong>.
      </p>
      {s.failures.length > 0 && (
        <ul class="sim-summary__failures">
          {s.failures.map((f) => (
            <li key={f}>{f}</li>
          ))}
        </ul>
      )}
      <div class="sim-summary__tables">
        <table>
          <caption>Criteria</caption>
          <thead>
            <tr>
              <th scope="col">Criterion</th>
              <th scope="col">Weight</th>
              <th scope="col">Score</th>
            </tr>
          </thead>
          <tbody>
            {s.criteria.map((c) => (
              <tr key={c.id}>
                <th scope="row">
                  {c.label}
                  <span class="sim-summary__detail">{c.detail}</span>
                </th>
                <td>{c.weight}</td>
                <td>{c.score.toFixed(1)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <table>
          <caption>Beats by class ({s.beatCount} beats)</caption>
          <thead>
            <tr>
              <th scope="col">Class</th>
              <th scope="col">Beats</th>
            </tr>
          </thead>
          <tbody>
            {(Object.keys(CLASS_LABELS) as (keyof typeof CLASS_LABELS)[]).map((k) => (
              <tr key={k}>
                <th scope="row">{CLASS_LABELS[k]}</th>
                <td>{s.classCounts[k] ?? 0}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** Heart rate, D/S ratios, pressures and the active alarms, as text beside the display. */
export function ReadoutsPanel(props: { readouts: Readouts; settings: DeviceSettings | null; alarms: Alarm[] }) {
  const active = activeAlarms(props.alarms);
  return (
    // Beside the display the panel scrolls when alarms fill it (it never grows the display's row): focusable,
    // so the keyboard can scroll it too. Active alarms come first, as on a monitor, so they are always in view.
    <section
      class={`sim-readouts${active.length > 0 ? ' sim-readouts--alarm' : ''}`}
      aria-labelledby="sim-readouts-heading"
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take focus (WCAG 2.1.1).
      tabIndex={0}
    >
      <div class="sim-readouts__head">
        <h2 id="sim-readouts-heading" class="sim-heading">
          Readouts
        </h2>
        <p class={`sim-alarm-count${active.length === 0 ? ' sim-alarm-count--none' : ''}`}>
          {active.length === 0 ? 'No alarms' : `${active.length} alarm${active.length === 1 ? '' : 's'}`}
        </p>
      </div>
      {active.length > 0 && (
        <ul class="sim-alarms" aria-label="Active alarms">
          {active.map((a) => (
            <li key={a.code}>
              <strong>Alarm:</strong> {a.message}
            </li>
          ))}
        </ul>
      )}
      <dl class="sim-readout-grid">
        <Readout label="Heart rate" value={formatReadout(props.readouts.heartRateBpm)} unit="bpm" id="hr" />
        <Readout label="D/S peak ratio" value={formatReadout(props.readouts.dsPeakRatio, 2)} unit="" id="ds" />
        <Readout label="D/S area ratio" value={formatReadout(props.readouts.dsAreaRatio, 2)} unit="" id="ds-area" />
        <Readout
          label="Augmented diastolic"
          value={formatReadout(props.readouts.augmentedDiastolicMmHg)}
          unit="mmHg"
          id="aug"
        />
        <Readout label="Systolic" value={formatReadout(props.readouts.systolicMmHg)} unit="mmHg" id="sys" />
        <Readout label="End-diastolic" value={formatReadout(props.readouts.endDiastolicMmHg)} unit="mmHg" id="edp" />
        <Readout
          label="Treatment pressure"
          value={props.settings ? String(props.settings.pressureMmHg) : '–'}
          unit="mmHg"
          id="pressure"
        />
      </dl>
    </section>
  );
}

/** The device's controls: timing mode and delays, pressure, stage delay and the cuffs in use. */
export function ControlsPanel(props: {
  settings: DeviceSettings;
  limits: SettingLimits;
  applyPatch: (patch: SettingsPatch) => void;
  step: (setting: SteppedSetting, delta: number) => void;
  shortcutsOn: boolean;
}) {
  const keys = (setting: SteppedSetting): SettingKeys | undefined =>
    props.shortcutsOn ? settingKeys(setting) : undefined;
  return (
    <div class="sim-controls">
      <fieldset class="sim-group">
        <legend>Timing</legend>
        <fieldset class="sim-mode">
          <legend class="visually-hidden">Timing mode</legend>
          <label>
            <input
              type="radio"
              name="sim-timing-mode"
              checked={!props.settings.adaptive}
              onChange={() => props.applyPatch({ adaptive: false })}
            />{' '}
            Fixed
          </label>
          <label>
            <input
              type="radio"
              name="sim-timing-mode"
              checked={props.settings.adaptive}
              onChange={() => props.applyPatch({ adaptive: true })}
            />{' '}
            Adaptive
          </label>
        </fieldset>
        <SettingControl
          id="inflate"
          label="Inflation delay after R"
          unit="ms"
          setting="inflateDelayMs"
          value={props.settings.inflateDelayMs}
          limits={props.limits}
          onStep={props.step}
          onSet={(v) => props.applyPatch({ inflateDelayMs: v })}
          keys={keys('inflateDelayMs')}
          hint={props.settings.adaptive ? 'Adaptive: scaled with heart rate from this value.' : undefined}
        />
        {props.settings.adaptive ? (
          <SettingControl
            id="deflate-lead"
            label="Deflation lead before next R"
            unit="ms"
            setting="deflateLeadMs"
            value={props.settings.deflateLeadMs}
            limits={props.limits}
            onStep={props.step}
            onSet={(v) => props.applyPatch({ deflateLeadMs: v })}
            keys={keys('deflateLeadMs')}
          />
        ) : (
          <SettingControl
            id="deflate"
            label="Deflation delay after R"
            unit="ms"
            setting="deflateDelayMs"
            value={props.settings.deflateDelayMs}
            limits={props.limits}
            onStep={props.step}
            onSet={(v) => props.applyPatch({ deflateDelayMs: v })}
            keys={keys('deflateDelayMs')}
          />
        )}
      </fieldset>
      <fieldset class="sim-group">
        <legend>Pressure and cuffs</legend>
        <SettingControl
          id="pressure"
          label="Treatment pressure"
          unit="mmHg"
          setting="pressureMmHg"
          value={props.settings.pressureMmHg}
          limits={props.limits}
          onStep={props.step}
          onSet={(v) => props.applyPatch({ pressureMmHg: v })}
          keys={keys('pressureMmHg')}
        />
        <SettingControl
          id="stage"
          label="Stage delay between cuffs"
          unit="ms"
          setting="stageDelayMs"
          value={props.settings.stageDelayMs}
          limits={props.limits}
          onStep={props.step}
          onSet={(v) => props.applyPatch({ stageDelayMs: v })}
        />
        <fieldset class="sim-cuffs">
          <legend class="visually-hidden">Cuffs in use</legend>
          {(
            [
              ['calf', 'Calves'],
              ['lowerThigh', 'Lower thighs'],
              ['upperThigh', 'Upper thighs'],
            ] as const
          ).map(([key, label]) => (
            <label key={key}>
              <input
                type="checkbox"
                checked={props.settings.cuffs[key]}
                onChange={(e) => props.applyPatch({ cuffs: { [key]: (e.currentTarget as HTMLInputElement).checked } })}
              />{' '}
              {label}
            </label>
          ))}
        </fieldset>
      </fieldset>
    </div>
  );
}

/**
 * The keyboard shortcuts, in view (each control also shows its own keys), with the switch that turns
 * single-key shortcuts off (WCAG 2.1.4).
 */
export function ShortcutsPanel(props: { on: boolean; onToggle: (on: boolean) => void; assessment: boolean }) {
  return (
    <section class="sim-shortcuts" aria-labelledby="sim-shortcuts-heading">
      <h2 id="sim-shortcuts-heading" class="sim-heading">
        Keyboard shortcuts
      </h2>
      <label class="sim-shortcuts__toggle">
        <input
          type="checkbox"
          checked={props.on}
          onChange={(e) => props.onToggle((e.currentTarget as HTMLInputElement).checked)}
        />{' '}
        Single-key shortcuts on (while focus is in the console)
      </label>
      <dl>
        {SHORTCUT_HELP.filter(
          (s) => !props.assessment || (!s.action.includes('freeze') && !s.action.includes('frozen')),
        ).map((s) => (
          <div key={s.keys}>
            <dt>
              <kbd>{s.keys}</kbd>
            </dt>
            <dd>{s.action}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
