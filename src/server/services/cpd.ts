/**
 * The CPD (continuing professional development) log: credits from completed curriculum modules, entered
 * automatically and approved, and external activities (conferences, courses) that a member records with
 * evidence and an educator approves or rejects.
 */
import { and, count, desc, eq } from 'drizzle-orm';
import type { Db } from '#db/client.ts';
import { type CpdStatus, cpdActivities, users } from '#db/schema/index.ts';
import { DAY_MS, toIsoDate } from '#src/lib/dates.ts';
import { writeAudit } from '../audit.ts';
import { newId } from '../ids.ts';
import { type Refusal, refuse } from '../refusal.ts';
import type { RequestMeta } from './deps.ts';

export interface CpdEntry {
  id: string;
  source: 'module' | 'external';
  title: string;
  activityDate: string;
  credits: number;
  evidenceText: string;
  evidenceUrl: string | null;
  status: CpdStatus;
  reviewComment: string | null;
}

export interface CpdLog {
  entries: CpdEntry[];
  approvedCredits: number;
  pendingCredits: number;
}

const entryColumns = {
  id: cpdActivities.id,
  source: cpdActivities.source,
  title: cpdActivities.title,
  activityDate: cpdActivities.activityDate,
  credits: cpdActivities.credits,
  evidenceText: cpdActivities.evidenceText,
  evidenceUrl: cpdActivities.evidenceUrl,
  status: cpdActivities.status,
  reviewComment: cpdActivities.reviewComment,
};

/** Sums credits without binary floating-point residue (credits are recorded to 0.1). */
function sumCredits(entries: CpdEntry[]): number {
  return Math.round(entries.reduce((sum, e) => sum + e.credits * 10, 0)) / 10;
}

/** A member's CPD log, newest activity first, with approved and pending totals. */
export async function getCpdLog(db: Db, userId: string): Promise<CpdLog> {
  const entries = await db
    .select(entryColumns)
    .from(cpdActivities)
    .where(eq(cpdActivities.userId, userId))
    .orderBy(desc(cpdActivities.activityDate), desc(cpdActivities.createdAt));
  return {
    entries,
    approvedCredits: sumCredits(entries.filter((e) => e.status === 'approved')),
    pendingCredits: sumCredits(entries.filter((e) => e.status === 'pending')),
  };
}

export interface ExternalActivityInput {
  title: string;
  activityDate: string;
  credits: number;
  evidenceText: string;
  evidenceUrl: string | null;
}

/**
 * The latest activity date accepted: tomorrow in UTC, so that a member in a time zone ahead of UTC can log
 * today's activity. A later date would count towards a credential's maintenance year that has not begun.
 */
function latestActivityDate(now: number): string {
  return toIsoDate(now + DAY_MS);
}

/** External activities one member may have waiting for review at a time (the educators' queue is shared). */
export const MAX_PENDING_PER_MEMBER = 20;

/** How many pending activities the educators' queue shows at once, oldest first. */
export const PENDING_SHOWN = 200;

/**
 * Records an external activity for an educator to review; refuses one dated in the future, and one more
 * while the member already has MAX_PENDING_PER_MEMBER waiting.
 */
export async function addExternalActivity(
  db: Db,
  userId: string,
  input: ExternalActivityInput,
  now = Date.now(),
): Promise<{ ok: true; id: string } | Refusal> {
  if (input.activityDate > latestActivityDate(now)) {
    const message = 'The activity date is in the future: log an activity once it has taken place.';
    return refuse('BAD_REQUEST', message, { activityDate: message });
  }
  // Counted and inserted in one write transaction (BEGIN IMMEDIATE, and queued behind the process's other
  // writers), so parallel requests cannot each see 19 waiting and all insert.
  return db.transaction(async (tx) => {
    const [waiting] = await tx
      .select({ n: count() })
      .from(cpdActivities)
      .where(and(eq(cpdActivities.userId, userId), eq(cpdActivities.status, 'pending')));
    if ((waiting?.n ?? 0) >= MAX_PENDING_PER_MEMBER) {
      return refuse(
        'CONFLICT',
        `You have ${MAX_PENDING_PER_MEMBER} activities waiting for an educator's review. Log more once some of them have been reviewed.`,
      );
    }
    const id = newId();
    await tx.insert(cpdActivities).values({
      id,
      userId,
      source: 'external',
      title: input.title,
      activityDate: input.activityDate,
      credits: Math.round(input.credits * 10) / 10,
      evidenceText: input.evidenceText,
      evidenceUrl: input.evidenceUrl,
      status: 'pending',
      createdAt: now,
    });
    return { ok: true as const, id };
  });
}

export interface PendingActivity extends CpdEntry {
  userId: string;
  memberName: string;
}

/** External activities waiting for an educator, the oldest PENDING_SHOWN first. */
export async function listPendingActivities(db: Db): Promise<PendingActivity[]> {
  return db
    .select({ ...entryColumns, userId: cpdActivities.userId, memberName: users.name })
    .from(cpdActivities)
    .innerJoin(users, eq(users.id, cpdActivities.userId))
    .where(eq(cpdActivities.status, 'pending'))
    .orderBy(cpdActivities.createdAt)
    .limit(PENDING_SHOWN);
}

export type ReviewActivityResult = { ok: true } | Refusal;

/** An educator approves or rejects (with a reason) another member's pending external activity; audited. */
export async function reviewActivity(
  db: Db,
  reviewerId: string,
  input: { id: string; decision: 'approve' | 'reject'; comment: string },
  meta: RequestMeta,
  now = Date.now(),
): Promise<ReviewActivityResult> {
  return db.transaction(async (tx) => {
    const [activity] = await tx.select().from(cpdActivities).where(eq(cpdActivities.id, input.id)).limit(1);
    if (!activity) return refuse('NOT_FOUND', 'That activity does not exist.');
    if (activity.status !== 'pending') return refuse('BAD_REQUEST', 'That activity has already been reviewed.');
    if (activity.userId === reviewerId) return refuse('FORBIDDEN', 'Another educator must review your own activities.');
    const comment = input.comment.trim();
    if (input.decision === 'reject' && comment === '')
      return refuse('BAD_REQUEST', 'Give a reason.', {
        comment: 'Say why it is rejected, so the member can act on it.',
      });
    await tx
      .update(cpdActivities)
      .set({
        status: input.decision === 'approve' ? 'approved' : 'rejected',
        reviewedBy: reviewerId,
        reviewComment: comment || null,
        reviewedAt: now,
      })
      .where(and(eq(cpdActivities.id, input.id), eq(cpdActivities.status, 'pending')));
    await writeAudit(
      tx,
      {
        actorId: reviewerId,
        action: input.decision === 'approve' ? 'cpd.approved' : 'cpd.rejected',
        subjectId: activity.userId,
        ipAddress: meta.ipAddress,
        details: { activityId: activity.id, credits: activity.credits },
      },
      now,
    );
    return { ok: true } as const;
  });
}
