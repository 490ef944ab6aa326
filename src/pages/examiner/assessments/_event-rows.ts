/**
 * Scripted events as the examiner edits them: one row per change (time in seconds, what changes, the new
 * value). A scenario event that changes several things at once (a rhythm or artefact patch) shows as one
 * row per field at the same time, and rows at the same time that patch the same thing are joined again.
 */
import type { ScenarioEvent } from '#sim/index.ts';

type RhythmField = keyof Extract<ScenarioEvent, { type: 'rhythm' }>['rhythm'];
type ArtefactField = keyof Extract<ScenarioEvent, { type: 'artefacts' }>['artefacts'];

interface Kind {
  label: string;
  /** The unit or the accepted words, shown as the value's hint. */
  unit: string;
  /** 'on-off' values are the words on and off; 'mains' is 50 or 60. */
  value: 'number' | 'on-off' | 'mains';
}

/** Every change a row can make, keyed by the id the form posts. */
export const EVENT_KINDS = {
  'heart-rate': { label: 'Heart rate', unit: 'beats per minute', value: 'number' },
  'rhythm.pvcPerMinute': { label: 'Premature ventricular beats', unit: 'per minute', value: 'number' },
  'rhythm.pacPerMinute': { label: 'Premature atrial beats', unit: 'per minute', value: 'number' },
  'rhythm.atrialFibrillation': { label: 'Atrial fibrillation', unit: 'on or off', value: 'on-off' },
  'rhythm.afRrCoefficientOfVariation': { label: 'AF: RR variation (coefficient)', unit: '0 to 0.5', value: 'number' },
  'rhythm.afFibrillatoryWaveMv': { label: 'AF: fibrillatory waves', unit: 'mV', value: 'number' },
  'rhythm.hrvLfAmplitudeMs': { label: 'Heart rate variability, low frequency', unit: 'ms', value: 'number' },
  'rhythm.hrvHfAmplitudeMs': { label: 'Heart rate variability, high frequency', unit: 'ms', value: 'number' },
  'rhythm.heartRateBpm': { label: 'Rhythm: heart rate', unit: 'beats per minute', value: 'number' },
  'artefacts.baselineWanderMv': { label: 'ECG baseline wander', unit: 'mV', value: 'number' },
  'artefacts.muscleNoiseMv': { label: 'ECG muscle noise', unit: 'mV', value: 'number' },
  'artefacts.mainsHumMv': { label: 'ECG mains hum', unit: 'mV', value: 'number' },
  'artefacts.mainsHz': { label: 'ECG mains frequency', unit: '50 or 60 Hz', value: 'mains' },
  'artefacts.electrodeMotionPerMinute': { label: 'Electrode motion', unit: 'per minute', value: 'number' },
  'artefacts.electrodeMotionMv': { label: 'Electrode motion size', unit: 'mV', value: 'number' },
  'lead-off': { label: 'ECG lead off', unit: 'on or off', value: 'on-off' },
} as const satisfies Record<string, Kind>;

export type EventKind = keyof typeof EVENT_KINDS;

export function isEventKind(s: string): s is EventKind {
  return Object.hasOwn(EVENT_KINDS, s);
}

/** A row as the form holds it: text, as typed. */
export interface EventRowValues {
  atS: string;
  kind: string;
  value: string;
}

export const BLANK_ROW: Readonly<EventRowValues> = Object.freeze({ atS: '', kind: '', value: '' });

/** Rows a new form offers empty, and the most rows the form holds (the procedure allows 50 events). */
export const EMPTY_ROWS_SHOWN = 2;
export const MAX_EVENT_ROWS = 60;

/** The form field name of a row's cell (also its id's base): event-3-at, event-3-kind, event-3-value. */
export function rowField(index: number, cell: 'at' | 'kind' | 'value'): string {
  return `event-${index}-${cell}`;
}

function valueText(v: number | boolean): string {
  return typeof v === 'boolean' ? (v ? 'on' : 'off') : String(v);
}

/** The rows for saved events, one per changed field. */
export function rowsFromEvents(events: readonly ScenarioEvent[]): EventRowValues[] {
  const rows: EventRowValues[] = [];
  for (const e of events) {
    const atS = String(e.atMs / 1000);
    if (e.type === 'heart-rate') rows.push({ atS, kind: 'heart-rate', value: String(e.heartRateBpm) });
    else if (e.type === 'lead-off') rows.push({ atS, kind: 'lead-off', value: valueText(e.on) });
    else {
      const patch: Record<string, number | boolean | undefined> = e.type === 'rhythm' ? e.rhythm : e.artefacts;
      for (const [field, v] of Object.entries(patch)) {
        if (v !== undefined) rows.push({ atS, kind: `${e.type}.${field}`, value: valueText(v) });
      }
    }
  }
  return rows;
}

/** The rows posted: event-N-at/-kind/-value for N from 0 up to `eventRows` (capped), as typed. */
export function rowsFromForm(form: Record<string, string>): EventRowValues[] {
  const count = Math.min(MAX_EVENT_ROWS, Math.max(0, Number.parseInt(form.eventRows ?? '', 10) || 0));
  return Array.from({ length: count }, (_, i) => ({
    atS: (form[rowField(i, 'at')] ?? '').trim(),
    kind: (form[rowField(i, 'kind')] ?? '').trim(),
    value: (form[rowField(i, 'value')] ?? '').trim(),
  }));
}

export interface ParsedRows {
  events: ScenarioEvent[];
  /** For each event, the row it came from (the first, when rows were joined): where its errors go. */
  rowOfEvent: number[];
  /** Field errors keyed by rowField(index, cell). */
  errors: Record<string, string>;
}

/**
 * The events the rows describe, in row order; empty rows are skipped. Each cell that cannot be read gets its
 * own error naming the row. Ranges and the run's length are the procedure's to check.
 */
export function eventsFromRows(rows: readonly EventRowValues[]): ParsedRows {
  const events: ScenarioEvent[] = [];
  const rowOfEvent: number[] = [];
  const errors: Record<string, string> = {};
  rows.forEach((row, i) => {
    if (row.atS === '' && row.kind === '' && row.value === '') return;
    const n = i + 1;
    const atS = Number(row.atS);
    if (row.atS === '' || !Number.isFinite(atS) || atS < 0) {
      errors[rowField(i, 'at')] = `Event ${n}: enter the time in seconds from the start, for example 120.`;
    }
    if (!isEventKind(row.kind)) {
      errors[rowField(i, 'kind')] = `Event ${n}: choose what changes.`;
      return;
    }
    const kind = EVENT_KINDS[row.kind];
    let value: number | boolean = Number.NaN;
    if (kind.value === 'on-off') {
      const word = row.value.toLowerCase();
      if (word === 'on' || word === 'off') value = word === 'on';
      else errors[rowField(i, 'value')] = `Event ${n}: ${kind.label}: enter on or off.`;
    } else {
      const x = Number(row.value);
      if (row.value === '' || !Number.isFinite(x)) {
        errors[rowField(i, 'value')] = `Event ${n}: ${kind.label}: enter a number (${kind.unit}).`;
      } else if (kind.value === 'mains' && x !== 50 && x !== 60) {
        errors[rowField(i, 'value')] = `Event ${n}: ${kind.label}: enter 50 or 60.`;
      } else value = x;
    }
    if (errors[rowField(i, 'at')] || errors[rowField(i, 'value')]) return;
    const atMs = Math.round(atS * 1000);
    const [group, field] = row.kind.split('.') as [string, string | undefined];
    const last = events[events.length - 1];
    if ((group === 'rhythm' || group === 'artefacts') && field) {
      // A row at the same time as the previous one and patching the same thing joins its event.
      if (last && last.atMs === atMs && last.type === group) {
        (last.type === 'rhythm' ? last.rhythm : last.artefacts)[field as never] = value as never;
        return;
      }
      events.push(
        group === 'rhythm'
          ? { atMs, type: 'rhythm', rhythm: { [field as RhythmField]: value } }
          : { atMs, type: 'artefacts', artefacts: { [field as ArtefactField]: value } },
      );
    } else if (row.kind === 'heart-rate') events.push({ atMs, type: 'heart-rate', heartRateBpm: value as number });
    else events.push({ atMs, type: 'lead-off', on: value as boolean });
    rowOfEvent.push(i);
  });
  return { events, rowOfEvent, errors };
}
