/**
 * Field errors as the account forms receive them: field name to one message or several (a flattened zod
 * error gives arrays). Messages say what to do ("Enter an email address like name@example.org").
 */
export type FieldErrors = Readonly<Record<string, string | readonly string[] | undefined>>;

/** One error in the summary box: its message and, for a field error, the id of the control to jump to. */
export interface ErrorSummaryItem {
  message: string;
  targetId: string | null;
}

/**
 * The id a form control gets from its name. Prefixed so a field called "main" or "search" cannot collide
 * with a landmark id on the page; the error summary links use the same function.
 */
export function fieldId(name: string): string {
  return `field-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

/** Several messages for one field read as one sentence run. */
export function joinMessages(messages: string | readonly string[] | undefined): string | null {
  if (messages === undefined) return null;
  const list = typeof messages === 'string' ? [messages] : messages;
  const text = list
    .map((message) => message.trim())
    .filter((message) => message.length > 0)
    .join(' ');
  return text.length > 0 ? text : null;
}

/** The error text of one field and the ids its control points to with aria-describedby. */
export interface FieldDescription {
  errorText: string | null;
  hintId: string | null;
  errorId: string | null;
  /** The hint's id, then the error's, space-separated; undefined when there is neither. */
  describedBy: string | undefined;
}

/** What the field components derive from their hint and error to wire them to the control (WCAG 3.3.1). */
export function describeField(
  id: string,
  hint: string | undefined,
  error: string | readonly string[] | undefined,
): FieldDescription {
  const errorText = joinMessages(error);
  const hintId = hint ? `${id}-hint` : null;
  const errorId = errorText ? `${id}-error` : null;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return { errorText, hintId, errorId, describedBy };
}

/**
 * The summary list: form-level messages first (no link), then field messages in the order the fields
 * were given, each linking to its control.
 */
export function summariseErrors(fieldErrors: FieldErrors, formErrors: readonly string[] = []): ErrorSummaryItem[] {
  const items: ErrorSummaryItem[] = [];
  for (const message of formErrors) {
    const text = joinMessages(message);
    if (text) items.push({ message: text, targetId: null });
  }
  for (const [name, messages] of Object.entries(fieldErrors)) {
    const text = joinMessages(messages);
    if (text) items.push({ message: text, targetId: fieldId(name) });
  }
  return items;
}
