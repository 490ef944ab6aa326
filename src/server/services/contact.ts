/**
 * The contact page: anyone may write to the association. A message is stored (not mailed, so that its text
 * and the sender's address stay in one place with one keeping period), the administrators are mailed that
 * a message waits (without its content, as role-mail.ts requires), and they mark it handled on
 * /admin/messages. Messages are deleted CONTACT_MESSAGE_KEPT_DAYS after they arrive (the privacy notice
 * says the same).
 */
import { and, desc, eq, isNull, lte, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '#db/client.ts';
import { contactMessages } from '#db/schema/index.ts';
import { DAY_MS } from '#src/lib/dates.ts';
import { emailField, nameField } from '#src/lib/schemas.ts';
import { writeAudit } from '../audit.ts';
import { consumeRateLimit, RATE_LIMITS, rateLimitAddress } from '../auth/rate-limit.ts';
import { newId } from '../ids.ts';
import { type Refusal, refuse } from '../refusal.ts';
import type { RequestMeta, ServiceDeps } from './deps.ts';
import { mailRole } from './role-mail.ts';

export const CONTACT_TOPICS = ['membership', 'certification', 'privacy', 'journal', 'technical', 'other'] as const;
export type ContactTopic = (typeof CONTACT_TOPICS)[number];

export const CONTACT_TOPIC_LABELS: Record<ContactTopic, string> = {
  membership: 'Membership and applications',
  certification: 'Examinations and certification',
  privacy: 'Privacy and my data',
  journal: 'The journal',
  technical: 'A problem with the portal',
  other: 'Something else',
};

export const CONTACT_MESSAGE_MAX = 5000;

/** Long enough to answer and to follow up; the association's rule, stated in the privacy notice. */
export const CONTACT_MESSAGE_KEPT_DAYS = 365;

export const contactInput = z.object({
  topic: z.enum(CONTACT_TOPICS, { error: 'Choose what your message is about.' }),
  name: nameField,
  email: emailField,
  message: z
    .string({ error: 'Write your message.' })
    .trim()
    .min(10, 'Write your message (at least 10 characters).')
    .max(CONTACT_MESSAGE_MAX, `Keep your message to ${CONTACT_MESSAGE_MAX} characters.`),
});
export type ContactInput = z.infer<typeof contactInput>;

/** Stores a message and tells the administrators one waits. Limited per address, as registration is. */
export async function sendContactMessage(
  db: Db,
  deps: ServiceDeps,
  input: ContactInput,
  sender: { userId: string | null; meta: RequestMeta },
  now = Date.now(),
): Promise<{ ok: true } | Refusal> {
  const allowed = await consumeRateLimit(
    db,
    `contact:ip:${rateLimitAddress(sender.meta.ipAddress)}`,
    RATE_LIMITS.contact,
    now,
  );
  if (!allowed)
    return refuse('TOO_MANY_REQUESTS', 'You have sent several messages in a short time. Try again in an hour.');
  const id = newId();
  await db.insert(contactMessages).values({
    id,
    createdAt: now,
    topic: input.topic,
    name: input.name,
    email: input.email,
    userId: sender.userId,
    message: input.message,
  });
  await writeAudit(
    db,
    { actorId: sender.userId, action: 'contact.message-received', subjectId: id, details: { topic: input.topic } },
    now,
  );
  await mailRole(db, deps, 'admin', {
    subject: `A contact message waits: ${CONTACT_TOPIC_LABELS[input.topic]}`,
    text: `A message about "${CONTACT_TOPIC_LABELS[input.topic]}" arrived through the contact page.\n\nRead and answer it at ${deps.siteUrl}/admin/messages`,
  });
  return { ok: true };
}

export interface ContactMessageView {
  id: string;
  createdAt: number;
  topic: ContactTopic;
  name: string;
  email: string;
  message: string;
  handledAt: number | null;
}

/** Messages for the administrators: those waiting first, then handled ones, newest first. */
export async function listContactMessages(db: Db, options: { limit: number }): Promise<ContactMessageView[]> {
  return db
    .select({
      id: contactMessages.id,
      createdAt: contactMessages.createdAt,
      topic: contactMessages.topic,
      name: contactMessages.name,
      email: contactMessages.email,
      message: contactMessages.message,
      handledAt: contactMessages.handledAt,
    })
    .from(contactMessages)
    .orderBy(sql`${contactMessages.handledAt} is not null`, desc(contactMessages.createdAt))
    .limit(options.limit);
}

/** Marks a waiting message handled (once; a second administrator's click is told it was done). */
export async function markContactMessageHandled(
  db: Db,
  adminId: string,
  messageId: string,
  now = Date.now(),
): Promise<{ ok: true } | Refusal> {
  return db.transaction(async (tx) => {
    const rows = await tx
      .update(contactMessages)
      .set({ handledAt: now, handledBy: adminId })
      .where(and(eq(contactMessages.id, messageId), isNull(contactMessages.handledAt)))
      .returning({ id: contactMessages.id });
    if (rows.length === 0) {
      const exists = await tx
        .select({ id: contactMessages.id })
        .from(contactMessages)
        .where(eq(contactMessages.id, messageId));
      return exists.length === 0
        ? refuse('NOT_FOUND', 'That message does not exist (messages are deleted after a year).')
        : refuse('CONFLICT', 'That message was already marked handled.');
    }
    await writeAudit(tx, { actorId: adminId, action: 'contact.message-handled', subjectId: messageId }, now);
    return { ok: true as const };
  });
}

/** Deletes messages older than the keeping period (the scheduled job); returns how many went. */
export async function purgeOldContactMessages(db: Db, now = Date.now()): Promise<{ deleted: number }> {
  const rows = await db
    .delete(contactMessages)
    .where(lte(contactMessages.createdAt, now - CONTACT_MESSAGE_KEPT_DAYS * DAY_MS))
    .returning({ id: contactMessages.id });
  return { deleted: rows.length };
}
