import { eq } from 'drizzle-orm';
import { PDFDocument } from 'pdf-lib';
import { beforeAll, expect, test } from 'vitest';
import { levelCertificates, users } from '#db/schema/index.ts';
import { DEFAULT_RUBRIC } from '#sim/index.ts';
import { getScenario } from '#src/lib/scenario-presets.ts';
import { listPublishedChapters, listPublishedModules } from '#src/server/services/handbook.ts';
import { importFirstEdition } from '#src/server/services/handbook-import.ts';
import { handbookEditionPdf, levelCertificatePdf } from '#src/server/services/handbook-pdf.ts';
import {
  completeModulesAfterPractice,
  drawQuiz,
  gradeQuiz,
  markChapterRead,
} from '#src/server/services/handbook-progress.ts';
import { CERTIFICATE_NUMBER_PATTERN, verifyLevelCertificate } from '#src/server/services/level-certificates.ts';
import { savePractice } from '#src/server/services/simulator-practice.ts';
import { idealControlLog } from '#src/server/services/simulator-replay.ts';
import { useTestDb } from '#test/helpers/db.ts';
import { makeUser } from '#test/helpers/factories.ts';

const SITE = 'http://portal.test';

/** Each practice save replays the run on the server; on a machine shared with other test runs that takes a while. */
const REPLAY_TEST_MS = 90_000;

const handle = useTestDb();
beforeAll(async () => {
  await importFirstEdition(handle.db);
});

test('exports the published edition as a PDF with a contents page and every chapter', async () => {
  const pdf = await handbookEditionPdf(handle.db, Date.UTC(2026, 10, 23));
  const doc = await PDFDocument.load(pdf);
  const chapters = await listPublishedChapters(handle.db);
  expect(doc.getTitle()).toBe('IECPA Handbook of External Counterpulsation');
  // A title page plus at least one page per chapter.
  expect(doc.getPageCount()).toBeGreaterThan(chapters.length);
});

test(
  'issues a level certificate only when every module of the level is complete',
  async () => {
    const member = await makeUser(handle.db, { name: 'Chen Jing' });
    expect(await levelCertificatePdf(handle.db, member, 'level-1', SITE)).toMatchObject({
      ok: false,
      code: 'FORBIDDEN',
    });
    expect(await levelCertificatePdf(handle.db, member, 'level-9', SITE)).toMatchObject({
      ok: false,
      code: 'NOT_FOUND',
    });

    const modules = (await listPublishedModules(handle.db)).filter((m) => m.frontMatter.level === 1);
    for (const mod of modules) {
      for (const r of mod.frontMatter.reading) await markChapterRead(handle.db, member.id, r.chapter);
      const answers = Object.fromEntries(mod.frontMatter.quiz.map((q) => [q.id, q.correct]));
      const draw = await drawQuiz(handle.db, member.id, mod.slug);
      if (!draw.ok) throw new Error('no draw');
      const drawn = Object.fromEntries(draw.questions.map((q) => [q.id, answers[q.id] ?? []]));
      const graded = await gradeQuiz(handle.db, member.id, { module: mod.slug, drawId: draw.drawId, answers: drawn });
      expect(graded).toMatchObject({ ok: true, passed: true });
    }
    // One good practice session per scenario completes every exercise on it (several modules share one).
    const scenarioIds = new Set(modules.flatMap((m) => m.frontMatter.simulatorExercise?.scenario ?? []));
    for (const scenarioId of scenarioIds) {
      const scenario = getScenario(scenarioId);
      if (!scenario) throw new Error(`no scenario ${scenarioId}`);
      // Started at 150 mmHg with the timing set and raised in steps (modules 1 and 5 ask for it), then held
      // long enough for the longest hold a level-1 exercise asks (60 s).
      const durationMs = 100_000;
      const [timing] = idealControlLog(scenario, DEFAULT_RUBRIC, 1000);
      const { pressureMmHg: _working, ...timingOnly } = timing?.patch ?? {};
      const controlLog = [
        { atMs: 0, patch: { ...timingOnly, pressureMmHg: 150 } },
        { atMs: 12_000, patch: { pressureMmHg: 190 } },
        { atMs: 20_000, patch: { pressureMmHg: 230 } },
        { atMs: 28_000, patch: { pressureMmHg: 260 } },
      ];
      expect(await savePractice(handle.db, member.id, { scenarioId, seed: 3, durationMs, controlLog })).toMatchObject({
        ok: true,
      });
      expect((await completeModulesAfterPractice(handle.db, member.id, scenarioId)).length).toBeGreaterThan(0);
    }
    const result = await levelCertificatePdf(handle.db, member, 'level-1', SITE);
    if (!result.ok) throw new Error(`certificate refused: ${result.message}`);
    const doc = await PDFDocument.load(result.pdf);
    expect(doc.getTitle()).toContain('Level 1');
    expect(doc.getPageCount()).toBeGreaterThanOrEqual(1);

    // The certificate has one number, printed with its verification address, the same on every download.
    const [issued] = await handle.db.select().from(levelCertificates).where(eq(levelCertificates.userId, member.id));
    expect(issued?.number).toMatch(CERTIFICATE_NUMBER_PATTERN);
    const again = await levelCertificatePdf(handle.db, member, 'level-1', SITE);
    if (!again.ok) throw new Error(`second download refused: ${again.message}`);
    expect(
      await handle.db.select().from(levelCertificates).where(eq(levelCertificates.userId, member.id)),
    ).toHaveLength(1);
    const number = issued?.number ?? '';
    const verified = await verifyLevelCertificate(handle.db, number);
    expect(verified).toMatchObject({ number, holderName: member.name, level: 1 });
    // Typed by hand: lower case, O for 0 and l for 1 still find it.
    const typed = number
      .toLowerCase()
      .replace(/0/g, 'o')
      .replace(/1(?=[^-]*$)/g, 'l');
    expect((await verifyLevelCertificate(handle.db, `  ${typed} `))?.number).toBe(number);
    for (const wrong of ['', 'IECPA-L1-00000-00000', `${number}X`, "' OR 1=1 --", 'x'.repeat(10_000)]) {
      expect(await verifyLevelCertificate(handle.db, wrong)).toBeNull();
    }
    // A closed account's certificate no longer verifies.
    await handle.db.update(users).set({ erasedAt: Date.now() }).where(eq(users.id, member.id));
    expect(await verifyLevelCertificate(handle.db, number)).toBeNull();
  },
  REPLAY_TEST_MS,
);
