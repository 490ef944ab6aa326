import { eq } from 'drizzle-orm';
import { expect } from 'vitest';
import type { Db } from '#db/client.ts';
import { users } from '#db/schema/index.ts';
import { startAttempt } from '#src/server/services/exam-attempts.ts';
import { upsertExam } from '#src/server/services/exam-forms.ts';

/**
 * A published practice exam on the shipped Level 1 bank drawing `count` items of one category (all of them,
 * to be sure a given item is drawn), and an attempt at it started for the account `email`.
 */
export async function startShippedPracticeAttempt(
  db: Db,
  exam: { slug: string; title: string; category: string; count: number },
  email: string,
): Promise<{ examId: string; attemptId: string; userId: string }> {
  const created = await upsertExam(
    db,
    null,
    {
      format: 'iecpa-exam/1',
      slug: exam.slug,
      title: exam.title,
      bank: 'level-1',
      practice: true,
      timeLimitMinutes: 30,
      passMark: { method: 'fixed', percent: 70 },
      release: 'immediate',
      eligibility: 'member-in-good-standing',
      blueprint: [{ category: exam.category, count: exam.count }],
    },
    { publish: true },
  );
  expect(created).toMatchObject({ ok: true, created: true });
  const [user] = await db.select({ id: users.id }).from(users).where(eq(users.email, email));
  expect(user, `the account ${email}`).toBeDefined();
  const userId = user?.id ?? '';
  const started = await startAttempt(db, userId, created.ok ? created.id : '', {
    ipAddress: '127.0.0.1',
    userAgent: 'e2e',
  });
  expect(started).toMatchObject({ ok: true });
  if (!created.ok || !started.ok) throw new Error('unreachable: asserted above');
  return { examId: created.id, attemptId: started.attemptId, userId };
}
