/**
 * Scoring one answer against one item version's key. Scores are fractions of the item's maximum (0..1).
 * Pure: the services load the version the attempt drew and call these.
 */
import { z } from 'zod';

export interface Choice {
  id: string;
  text: string;
}

/** What grading needs of an item version (the stored body; engine items carry their derived options). */
export type GradableItem =
  | { type: 'single' | 'engine'; options: Choice[]; key: string[] }
  | { type: 'multiple'; options: Choice[]; key: string[]; scoring: 'all-or-nothing' | 'partial' }
  | { type: 'true-false'; key: boolean }
  | { type: 'matching'; prompts: Choice[]; choices: Choice[]; key: Record<string, string> }
  | { type: 'numeric'; key: { value: number; tolerance: number; unit: string } };

/** A candidate's answer, as saved. The shape depends on the item type; `answerError` checks the fit. */
export const answerSchema = z.union([
  z.object({ choices: z.array(z.string().max(20)).max(12) }).strict(),
  z.object({ truth: z.boolean() }).strict(),
  z.object({ matches: z.record(z.string().max(20), z.string().max(20)) }).strict(),
  z.object({ value: z.number() }).strict(),
]);
export type Answer = z.infer<typeof answerSchema>;

/**
 * True for an answer that chooses nothing: no option ticked, no prompt matched. It is no answer: an untouched
 * multiple-response or matching question posts as empty, and counting it as answered would keep it off the
 * unanswered list a candidate reviews before submitting. It scores nothing either way.
 */
export function choosesNothing(answer: Answer): boolean {
  if ('choices' in answer) return answer.choices.length === 0;
  if ('matches' in answer) return Object.keys(answer.matches).length === 0;
  return false;
}

/** Why `answer` does not fit `item` (a message for the candidate), or null when it fits. */
export function answerError(item: GradableItem, answer: Answer): string | null {
  switch (item.type) {
    case 'single':
    case 'engine':
    case 'multiple': {
      if (!('choices' in answer)) return 'Choose from the listed options.';
      const ids = item.options.map((o) => o.id);
      const unknown = answer.choices.find((c) => !ids.includes(c));
      if (unknown !== undefined)
        return `There is no option "${unknown}" in this question. Choose from the listed options.`;
      if (new Set(answer.choices).size !== answer.choices.length) return 'Choose each option at most once.';
      if (item.type !== 'multiple' && answer.choices.length > 1) return 'Choose one option.';
      return null;
    }
    case 'true-false':
      return 'truth' in answer ? null : 'Answer true or false.';
    case 'numeric':
      return 'value' in answer ? null : 'Enter a number.';
    case 'matching': {
      if (!('matches' in answer)) return 'Match each statement to a choice.';
      const prompts = item.prompts.map((p) => p.id);
      const choices = item.choices.map((c) => c.id);
      for (const [prompt, chosen] of Object.entries(answer.matches)) {
        if (!prompts.includes(prompt)) return `There is no statement "${prompt}" in this question.`;
        if (!choices.includes(chosen)) return `There is no choice "${chosen}" in this question.`;
      }
      return null;
    }
  }
}

/**
 * The score of an answer, 0..1; an unanswered item (null) or one that does not fit scores 0.
 *
 * - single, engine: 1 for the keyed option alone.
 * - multiple, all-or-nothing: 1 when the chosen set equals the keyed set.
 * - multiple, partial: correct = keyed options chosen, incorrect = unkeyed options chosen; a right
 *   non-choice costs nothing and a wrong choice cancels a right one: score = max(0, (correct - incorrect) /
 *   number of keyed options). Choosing every option therefore scores at most (k - (n - k)) / k.
 * - true-false: 1 when equal to the key.
 * - matching: the fraction of prompts matched to their keyed choice.
 * - numeric: 1 when |answer - key| <= tolerance.
 */
export function scoreAnswer(item: GradableItem, answer: Answer | null): number {
  if (answer === null || answerError(item, answer) !== null) return 0;
  switch (item.type) {
    case 'single':
    case 'engine':
      return 'choices' in answer && answer.choices.length === 1 && answer.choices[0] === item.key[0] ? 1 : 0;
    case 'multiple': {
      if (!('choices' in answer)) return 0;
      const correct = answer.choices.filter((c) => item.key.includes(c)).length;
      const incorrect = answer.choices.length - correct;
      if (item.scoring === 'all-or-nothing') return correct === item.key.length && incorrect === 0 ? 1 : 0;
      return Math.max(0, (correct - incorrect) / item.key.length);
    }
    case 'true-false':
      return 'truth' in answer && answer.truth === item.key ? 1 : 0;
    case 'numeric':
      // A small epsilon keeps a boundary answer (332 + 15 = 347) inside despite binary fractions.
      return 'value' in answer && Math.abs(answer.value - item.key.value) <= item.key.tolerance + 1e-9 ? 1 : 0;
    case 'matching': {
      if (!('matches' in answer)) return 0;
      const prompts = Object.keys(item.key);
      const right = prompts.filter((p) => answer.matches[p] === item.key[p]).length;
      return right / prompts.length;
    }
  }
}

/** The option ids an answer chose (for distractor analysis); empty for items without options. */
export function chosenOptions(answer: Answer | null): string[] {
  return answer !== null && 'choices' in answer ? answer.choices : [];
}
