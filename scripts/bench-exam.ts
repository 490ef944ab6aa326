/**
 * Benchmark of exam answer saves against the built portal: 500 candidates in one exam, each saving an
 * answer every 2 s (250 saves/s) for 2 minutes over HTTP (/api/trpc/exams.saveAnswer); reports saves/s,
 * p50/p99 latency and lost answers (an acknowledged answer that is not in the database afterwards). With
 * --kill the server is killed with SIGKILL halfway and restarted on the same database; saves that fail
 * while it is down are not acknowledged and not counted as lost. Then grades the 500 attempts and
 * recomputes the statistics, and reports the times.
 *
 *   npm run bench:exam [-- --no-build] [--seconds 120] [--candidates 500] [--kill]
 */
import { execFileSync } from 'node:child_process';
import { and, eq } from 'drizzle-orm';
import { examAnswers, userRoles, users } from '#db/schema/index.ts';
import { percentile } from '#src/lib/percentile.ts';
import { hashPassword } from '#src/server/auth/password.ts';
import { createSession, sessionCookieName } from '#src/server/auth/session.ts';
import { newId } from '#src/server/ids.ts';
import { getAttemptForCandidate, startAttempt, submitAttempt } from '#src/server/services/exam-attempts.ts';
import { recomputeStatistics, upsertExam } from '#src/server/services/exam-forms.ts';
import { importItems } from '#src/server/services/exam-items.ts';
import { type RunningServer, startServer } from '#test/helpers/server.ts';

const TARGET_P99_MS = 100;
const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const seconds = option('--seconds', 120);
const candidates = option('--candidates', 500);
const kill = args.includes('--kill');
const SAVE_EVERY_MS = 2000;
const ITEMS = 20;
const META = { ipAddress: '127.0.0.1', userAgent: 'bench-exam' };

async function main(): Promise<void> {
  if (!args.includes('--no-build')) {
    console.log('building…');
    execFileSync(process.execPath, ['node_modules/astro/bin/astro.mjs', 'build'], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' },
    });
  }
  let server: RunningServer = await startServer();
  const { db } = server.db;
  const first = server;
  try {
    // A bank of exactly the blueprint: 20 single-answer items in one category.
    const items = Array.from({ length: ITEMS }, (_, i) => ({
      ref: `bench-${String(i).padStart(3, '0')}`,
      type: 'single',
      category: '01-physiology-of-counterpulsation',
      language: 'en',
      difficulty: 'medium',
      stem: `Benchmark question ${i}?`,
      options: ['a', 'b', 'c', 'd'].map((id) => ({ id, text: `Option ${id}` })),
      key: ['a'],
      rationale: 'Because.',
      references: ['01-physiology-of-counterpulsation'],
      tags: [],
    }));
    const imported = await importItems(db, null, 'bench', JSON.stringify({ format: 'iecpa-items/1', items }), {
      live: true,
      engine: null,
    });
    if (!imported.ok) throw new Error(JSON.stringify(imported.errors));
    const exam = await upsertExam(
      db,
      null,
      {
        format: 'iecpa-exam/1',
        slug: 'bench',
        title: 'Benchmark',
        bank: 'bench',
        practice: true,
        timeLimitMinutes: 60,
        passMark: { method: 'fixed', percent: 50 },
        release: 'immediate',
        eligibility: 'member-in-good-standing',
        blueprint: [{ category: '01-physiology-of-counterpulsation', count: ITEMS }],
      },
      { publish: true },
    );
    if (!exam.ok) throw new Error(exam.message);

    console.log(`setting up ${candidates} candidates…`);
    const passwordHash = await hashPassword('bench password not used');
    const now = Date.now();
    const people: { userId: string; cookie: string; attemptId: string; itemVersionIds: string[] }[] = [];
    for (let c = 0; c < candidates; c++) {
      const userId = newId();
      await db.insert(users).values({
        id: userId,
        email: `bench${c}-${userId.slice(0, 6)}@example.org`,
        name: `Bench ${c}`,
        country: 'DE',
        profession: 'nurse',
        passwordHash,
        emailVerifiedAt: now,
        createdAt: now,
        updatedAt: now,
      });
      await db.insert(userRoles).values({ userId, role: 'member', grantedAt: now, grantedBy: null });
      const { token } = await createSession(db, userId, true, META);
      const started = await startAttempt(db, userId, exam.id, META);
      if (!started.ok) throw new Error(started.message);
      const view = await getAttemptForCandidate(db, userId, started.attemptId);
      if (!view.ok) throw new Error(view.message);
      people.push({
        userId,
        cookie: `${sessionCookieName(false)}=${token}`,
        attemptId: started.attemptId,
        itemVersionIds: view.attempt.items.map((i) => i.itemVersionId),
      });
    }

    // The last acknowledged answer per (attempt, item), in order of acknowledgement.
    const acknowledged = new Map<string, { attemptId: string; itemVersionId: string; choice: string; seq: number }>();
    const latencies: number[] = [];
    let failed = 0;
    let seq = 0;
    const endAt = Date.now() + seconds * 1000;
    let killed = false;
    const save = async (p: (typeof people)[number], n: number): Promise<void> => {
      const itemVersionId = p.itemVersionIds[n % p.itemVersionIds.length] as string;
      const choice = ['a', 'b', 'c', 'd'][Math.floor(n / p.itemVersionIds.length) % 4] as string;
      const mine = ++seq;
      const t0 = performance.now();
      try {
        const res = await fetch(`${server.url}/api/trpc/exams.saveAnswer`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie: p.cookie, origin: server.url },
          body: JSON.stringify({ attemptId: p.attemptId, itemVersionId, answer: { choices: [choice] } }),
        });
        await res.text();
        if (!res.ok) {
          failed++;
          return;
        }
        latencies.push(performance.now() - t0);
        const key = `${p.attemptId}:${itemVersionId}`;
        const previous = acknowledged.get(key);
        if (!previous || previous.seq < mine)
          acknowledged.set(key, { attemptId: p.attemptId, itemVersionId, choice, seq: mine });
      } catch {
        failed++;
      }
    };
    console.log(`saving for ${seconds} s${kill ? ', with a SIGKILL halfway' : ''}…`);
    const started = Date.now();
    await Promise.all(
      people.map(async (p, c) => {
        // Spread the candidates over the 2 s period.
        await new Promise((r) => setTimeout(r, (c / people.length) * SAVE_EVERY_MS));
        for (let n = 0; Date.now() < endAt; n++) {
          const next = Date.now() + SAVE_EVERY_MS;
          await save(p, n);
          if (kill && !killed && Date.now() - started > (seconds * 1000) / 2) {
            killed = true;
            console.log('SIGKILL…');
            await server.kill();
            server = await startServer({ DATABASE_URL: first.databaseUrl });
            console.log('restarted');
          }
          const wait = next - Date.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        }
      }),
    );
    const elapsedS = (Date.now() - started) / 1000;

    let lost = 0;
    for (const a of acknowledged.values()) {
      const [row] = await db
        .select({ answerJson: examAnswers.answerJson })
        .from(examAnswers)
        .where(and(eq(examAnswers.attemptId, a.attemptId), eq(examAnswers.itemVersionId, a.itemVersionId)));
      // A later save of the same item may have been written but not acknowledged (in flight at the kill).
      if (!row?.answerJson) lost++;
      else if (!kill && row.answerJson !== JSON.stringify({ choices: [a.choice] })) lost++;
    }
    console.log(
      `saves: ${latencies.length} acknowledged, ${failed} failed, ${(latencies.length / elapsedS).toFixed(0)} saves/s; latency p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms (target ≤ ${TARGET_P99_MS}); lost acknowledged answers: ${lost} of ${acknowledged.size}`,
    );

    const g0 = performance.now();
    for (const p of people) {
      const r = await submitAttempt(db, p.userId, p.attemptId);
      if (!r.ok) throw new Error(r.message);
    }
    const gradeMs = performance.now() - g0;
    const s0 = performance.now();
    await recomputeStatistics(db, exam.id);
    console.log(
      `grading ${people.length} attempts: ${(gradeMs / 1000).toFixed(2)} s; statistics: ${((performance.now() - s0) / 1000).toFixed(2)} s`,
    );
  } finally {
    await server.stop();
    if (server !== first) await first.stop();
  }
}

await main();
