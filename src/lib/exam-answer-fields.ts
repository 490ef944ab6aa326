/**
 * The attempt form's field names and how an answer is read from them: one module for the page (the no-JS
 * form post) and the attempt island (each change saved over tRPC), so both save the same answer.
 * Nothing here knows a key: it only reads what the candidate entered.
 */
import type { Answer } from '#src/server/exams/grading.ts';

/** What reading an item's fields needs: its type and, for matching items, its prompt ids. */
export interface AnswerFieldsItem {
  itemVersionId: string;
  number: number;
  type: 'single' | 'engine' | 'multiple' | 'true-false' | 'matching' | 'numeric';
  promptIds: string[];
}

export const answerFieldName = (itemVersionId: string): string => `a-${itemVersionId}`;
export const flagFieldName = (itemVersionId: string): string => `f-${itemVersionId}`;
/** Marks an item as shown in the posted form (so an item on another page keeps its flag). */
export const SHOWN_FIELD = 'shown';
/** Present for a multiple-response item, so "no box ticked" is told apart from "not on this page". */
export const presentFieldName = (itemVersionId: string): string => `present-${itemVersionId}`;

/**
 * The answer the fields hold: `answer` undefined when nothing is entered (nothing to save), `error` when
 * what was typed is not an answer (a numeric item's text that is not a number).
 */
export function answerFromFields(data: FormData, item: AnswerFieldsItem): { answer?: Answer; error?: string } {
  const name = answerFieldName(item.itemVersionId);
  switch (item.type) {
    case 'single':
    case 'engine': {
      const v = data.get(name);
      return typeof v === 'string' && v !== '' ? { answer: { choices: [v] } } : {};
    }
    case 'multiple':
      return data.has(presentFieldName(item.itemVersionId))
        ? { answer: { choices: data.getAll(name).filter((v): v is string => typeof v === 'string') } }
        : {};
    case 'true-false': {
      const v = data.get(name);
      return v === 'true' || v === 'false' ? { answer: { truth: v === 'true' } } : {};
    }
    case 'numeric': {
      const v = data.get(name);
      if (typeof v !== 'string' || v.trim() === '') return {};
      const n = Number(v.trim().replace(',', '.'));
      return Number.isFinite(n) ? { answer: { value: n } } : { error: `Question ${item.number}: enter a number.` };
    }
    case 'matching': {
      const matches: Record<string, string> = {};
      for (const id of item.promptIds) {
        const v = data.get(`${name}-${id}`);
        if (typeof v === 'string' && v !== '') matches[id] = v;
      }
      return Object.keys(matches).length > 0 ? { answer: { matches } } : {};
    }
  }
}
