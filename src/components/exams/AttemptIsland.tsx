import { TRPCClientError } from '@trpc/client';
import { useEffect, useRef, useState } from 'preact/hooks';
import { type AnswerFieldsItem, answerFromFields } from '#src/lib/exam-answer-fields.ts';
import { api } from '#src/lib/trpc-client.ts';

interface Props {
  attemptId: string;
  /** The attempt form this island saves from (the form itself posts and saves without JavaScript). */
  formId: string;
  /** The server's deadline: the truth. The island only shows it; the server refuses late answers. */
  deadlineAt: number;
  /** The server's clock when the page was made, to correct this device's clock. */
  serverNow: number;
  /** Answers in flight at the deadline are still accepted for this long (the server's grace). */
  graceMs: number;
  lastSavedAt: number | null;
  items: AnswerFieldsItem[];
  /** What the server has for each drawn item: an answer, a flag (by item version id). */
  marks: Record<string, ItemMarks>;
}

/** Whether a drawn item has a saved answer and a flag, as the server acknowledged. */
export interface ItemMarks {
  answered: boolean;
  flagged: boolean;
}

type SavePayload = { attemptId: string; itemVersionId: string } & (
  | { answer: Parameters<typeof api.exams.saveAnswer.mutate>[0]['answer'] }
  | { flagged: boolean }
);

/** WCAG 2.2.1: warn before the time runs out, at these many minutes left. */
const WARN_AT_MINUTES = [5, 1] as const;
/** A save that failed for want of a connection is retried this often. */
const RETRY_MS = 4000;

const TIME = new Intl.DateTimeFormat('en-GB', {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
  timeZone: 'UTC',
});

function clock(ms: number): string {
  return `${TIME.format(new Date(ms))} UTC`;
}

function left(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h} h ${String(m).padStart(2, '0')} min ${sec} s` : `${m} min ${sec} s`;
}

function warningFor(remainingMs: number): string {
  if (remainingMs <= 0) return 'Time is up. Your saved answers are being submitted.';
  const minutes = WARN_AT_MINUTES.filter((m) => remainingMs <= m * 60_000);
  const least = minutes[minutes.length - 1];
  if (least === undefined) return '';
  return `${least === 1 ? 'One minute' : `${least} minutes`} left. Answers are saved as you give them; the attempt is submitted when the time is up.`;
}

/**
 * The attempt's clock and its saving: shows the time left against the server's deadline (warning at 5 and
 * 1 minutes in a live region), saves each answer and flag over tRPC as it is given, says when the last
 * answer was saved, keeps the answered and flagged marks (the count here and the question navigator) up to
 * date as each save is acknowledged, warns before the page is left while a save is unacknowledged, and at
 * the deadline (after the server's grace) reloads the attempt, which the server has submitted with what it
 * saved.
 */
/**
 * The question navigator's links (one question per page) show each question's marks; the server renders
 * them, and the island updates them as soon as a save is acknowledged rather than on the next page.
 */
function showMarks(marks: Record<string, ItemMarks>): void {
  for (const link of document.querySelectorAll<HTMLElement>('[data-nav-item]')) {
    const mark = marks[link.dataset.navItem ?? ''];
    if (!mark) continue;
    link.classList.toggle('answered', mark.answered);
    link.classList.toggle('flagged', mark.flagged);
    const state = link.querySelector('[data-nav-state]');
    if (state) state.textContent = `${mark.answered ? ', answered' : ', unanswered'}${mark.flagged ? ', flagged' : ''}`;
  }
}

export function AttemptIsland({ attemptId, formId, deadlineAt, serverNow, graceMs, lastSavedAt, items, marks }: Props) {
  // This device's clock minus the server's; corrected by each save's server time.
  const skew = useRef(Date.now() - serverNow);
  const [now, setNow] = useState(() => Date.now() - skew.current);
  const [lastSaved, setLastSaved] = useState(lastSavedAt);
  const [problem, setProblem] = useState('');
  const [itemMarks, setItemMarks] = useState(marks);
  // Saves sent and not yet acknowledged (or refused); leaving the page while any is pending warns.
  const pending = useRef(0);
  // Questions whose typed answer (a numeric item's box) has not been committed by a change event yet.
  const typing = useRef(new Set<string>());
  // Set when the page is left by the attempt form's own post (which saves what is on screen) or at the deadline.
  const leavingOnPurpose = useRef(false);
  const remaining = deadlineAt - now;

  useEffect(() => showMarks(itemMarks), [itemMarks]);

  useEffect(() => {
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      if ((pending.current === 0 && typing.current.size === 0) || leavingOnPurpose.current) return;
      event.preventDefault();
      // Older browsers show the prompt only when returnValue is set.
      event.returnValue = '';
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, []);

  useEffect(() => {
    const tick = setInterval(() => setNow(Date.now() - skew.current), 1000);
    return () => clearInterval(tick);
  }, []);

  useEffect(() => {
    const form = document.getElementById(formId);
    if (!(form instanceof HTMLFormElement)) return undefined;
    const byId = new Map(items.map((item) => [item.itemVersionId, item]));
    const chains = new Map<string, Promise<void>>();
    // The newest payload per item that could not reach the server (retried until it does).
    const unsent = new Map<string, SavePayload>();

    const send = async (payload: SavePayload): Promise<void> => {
      const item = byId.get(payload.itemVersionId);
      const sentAt = Date.now();
      try {
        const result = await api.exams.saveAnswer.mutate(payload);
        skew.current = (sentAt + Date.now()) / 2 - result.savedAt;
        if (unsent.get(payload.itemVersionId) === payload) unsent.delete(payload.itemVersionId);
        setLastSaved(result.savedAt);
        setItemMarks((before) => {
          const mark = before[payload.itemVersionId] ?? { answered: false, flagged: false };
          const after =
            'flagged' in payload
              ? { ...mark, flagged: payload.flagged }
              : { ...mark, answered: payload.answer !== null };
          return { ...before, [payload.itemVersionId]: after };
        });
        setProblem(unsent.size > 0 ? problemText(unsent) : '');
        const mark = document.getElementById(`saved-${payload.itemVersionId}`);
        if (mark) mark.textContent = `Saved ${clock(result.savedAt)}.`;
      } catch (error) {
        if (error instanceof TRPCClientError && error.data?.code) {
          // The server answered and refused (time over, submitted, not an answer): retrying cannot help.
          unsent.delete(payload.itemVersionId);
          setProblem(`Question ${item?.number ?? ''} not saved: ${error.message}`);
        } else {
          unsent.set(payload.itemVersionId, payload);
          setProblem(problemText(unsent));
        }
      }
    };
    const enqueue = (payload: SavePayload) => {
      const previous = chains.get(payload.itemVersionId) ?? Promise.resolve();
      pending.current++;
      chains.set(
        payload.itemVersionId,
        previous
          .then(() => send(payload))
          .finally(() => {
            pending.current--;
          }),
      );
    };
    const problemText = (pending: Map<string, SavePayload>) =>
      `Not saved yet (no connection?): question ${[...pending.keys()]
        .map((id) => byId.get(id)?.number)
        .join(', ')}. Saving is retried every few seconds; "Save answers" also saves.`;

    const saveAnswerOf = (item: AnswerFieldsItem) => {
      const { answer, error } = answerFromFields(new FormData(form), item);
      if (error) {
        setProblem(error);
        return;
      }
      enqueue({ attemptId, itemVersionId: item.itemVersionId, answer: answer ?? null });
    };
    const onChange = (event: Event) => {
      const target = event.target;
      if (!(target instanceof HTMLElement)) return;
      const itemVersionId = target.closest('[data-item]')?.getAttribute('data-item');
      const item = itemVersionId ? byId.get(itemVersionId) : undefined;
      if (!item) return;
      typing.current.delete(item.itemVersionId);
      if (target instanceof HTMLInputElement && target.hasAttribute('data-flag')) {
        enqueue({ attemptId, itemVersionId: item.itemVersionId, flagged: target.checked });
        return;
      }
      saveAnswerOf(item);
    };
    form.addEventListener('change', onChange);
    // Text typed but not yet committed (the change event comes on leaving the box) is not saved yet either.
    const onInput = (event: Event) => {
      const target = event.target;
      if (!(target instanceof HTMLInputElement) || target.type !== 'text') return;
      const itemVersionId = target.closest('[data-item]')?.getAttribute('data-item');
      if (itemVersionId) typing.current.add(itemVersionId);
    };
    form.addEventListener('input', onInput);
    // The form's own post saves every question on screen: leaving by it needs no warning.
    const onSubmit = () => {
      leavingOnPurpose.current = true;
    };
    form.addEventListener('submit', onSubmit);
    // Answers given before this island was hydrated (a slow connection) fired no change it could hear:
    // whatever differs from what the server rendered is saved now.
    for (const fieldset of form.querySelectorAll<HTMLElement>('[data-item]')) {
      const item = byId.get(fieldset.getAttribute('data-item') ?? '');
      if (!item) continue;
      let answerChanged = false;
      for (const control of fieldset.querySelectorAll('input, select')) {
        if (control instanceof HTMLSelectElement) {
          answerChanged ||= selectChanged(control);
        } else if (control instanceof HTMLInputElement && control.type !== 'hidden') {
          const changed =
            control.type === 'radio' || control.type === 'checkbox'
              ? control.checked !== control.defaultChecked
              : control.value !== control.defaultValue;
          if (changed && control.hasAttribute('data-flag'))
            enqueue({ attemptId, itemVersionId: item.itemVersionId, flagged: control.checked });
          else answerChanged ||= changed;
        }
      }
      if (answerChanged) saveAnswerOf(item);
    }
    const retry = setInterval(() => {
      for (const payload of unsent.values()) enqueue(payload);
    }, RETRY_MS);
    return () => {
      form.removeEventListener('change', onChange);
      form.removeEventListener('input', onInput);
      form.removeEventListener('submit', onSubmit);
      clearInterval(retry);
    };
  }, [attemptId, formId, items]);

  // At the deadline plus the grace the server has submitted the attempt: reloading shows the result.
  const over = remaining <= 0;
  useEffect(() => {
    if (!over) return undefined;
    const form = document.getElementById(formId);
    if (form instanceof HTMLFormElement) form.inert = true;
    const wait = Math.max(0, deadlineAt + graceMs + 1000 - (Date.now() - skew.current));
    const timer = setTimeout(() => {
      // Past the grace the server takes no more answers: nothing is left to lose by leaving.
      leavingOnPurpose.current = true;
      window.location.assign(`/exams/attempt/${attemptId}`);
    }, wait);
    return () => clearTimeout(timer);
  }, [over, attemptId, formId, deadlineAt, graceMs]);

  const answeredCount = Object.values(itemMarks).filter((m) => m.answered).length;
  const flaggedCount = Object.values(itemMarks).filter((m) => m.flagged).length;
  return (
    <div class="attempt-status">
      <p class="attempt-clock">
        Time left: <strong data-testid="time-left">{left(remaining)}</strong>
        <span class="attempt-deadline"> (the attempt is submitted at {clock(deadlineAt)})</span>
      </p>
      <p class="attempt-warning" aria-live="assertive" aria-atomic="true">
        {warningFor(remaining)}
      </p>
      <p class="attempt-progress" data-testid="progress">
        {answeredCount} of {items.length} answered{flaggedCount > 0 ? `, ${flaggedCount} flagged for review` : ''}
      </p>
      <p class="attempt-saved" aria-live="polite" data-testid="last-saved">
        {lastSaved === null ? 'Nothing saved yet.' : `Last answer saved at ${clock(lastSaved)}.`}
      </p>
      {problem && (
        <p class="attempt-problem" role="alert">
          {problem}
        </p>
      )}
    </div>
  );
}

/**
 * Whether a select shows other than the page rendered. A single select with no option marked `selected`
 * shows its first option, which is then selected without being the default: that is no change.
 */
function selectChanged(select: HTMLSelectElement): boolean {
  const options = [...select.options];
  if (select.multiple) return options.some((o) => o.selected !== o.defaultSelected);
  const rendered = options.find((o) => o.defaultSelected) ?? options[0];
  return rendered !== undefined && select.selectedIndex !== rendered.index;
}
