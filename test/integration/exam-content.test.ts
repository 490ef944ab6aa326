import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import { importExamContent } from '#src/server/services/exam-content.ts';
import { getItem, listItems } from '#src/server/services/exam-items.ts';
import { countAllRows, useTestDb } from '#test/helpers/db.ts';
import { callerFor, makeUser } from '#test/helpers/factories.ts';

const handle = useTestDb();
const FIXTURE = join(process.cwd(), 'test', 'fixtures', 'exams');

/** A content directory with the fixture's exams and the shipped scenarios (engine items read them). */
function contentCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'exam-content-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(FIXTURE, 'exams'), join(dir, 'exams'), { recursive: true });
  cpSync(join(process.cwd(), 'content', 'scenarios'), join(dir, 'scenarios'), { recursive: true });
  return dir;
}

test('imports live items, keys engine items from the engine, publishes the exam, and is idempotent', async () => {
  const dir = contentCopy();
  const first = await importExamContent(handle.db, dir);
  expect(first).toMatchObject({ created: 2, unchanged: 0, examsCreated: ['fixture-exam'], refused: [] });
  const items = await listItems(handle.db, { bank: 'fixture-bank' });
  expect(items.map((i) => [i.ref, i.status])).toEqual([
    ['fx-physiology-001', 'live'],
    ['fx-timing-engine-001', 'live'],
  ]);
  const engine = await getItem(handle.db, items[1]?.id as string);
  expect(engine?.body).toMatchObject({ type: 'engine', key: ['early-inflation'] });
  expect(engine?.body.frameSvg).toMatch(/^<svg [^>]*role="img" aria-label="Console frame/);
  expect(JSON.stringify(engine?.body)).toContain('"text":"Early inflation"');
  expect(engine?.body.rationale).toMatch(/Inflate later/);

  const rows = await countAllRows(handle);
  const second = await importExamContent(handle.db, dir);
  expect(second).toMatchObject({ created: 0, unchanged: 2, examsCreated: [], refused: [] });
  expect(await countAllRows(handle)).toEqual(rows);

  // A member can take the shipped practice exam at once.
  const member = await makeUser(handle.db, { roles: ['member'] });
  const { caller } = await callerFor(handle.db, member);
  const [exam] = await caller.exams.openExams();
  const { attemptId } = await caller.exams.start({ examId: exam?.id as string });
  expect((await caller.exams.attempt({ attemptId })).items).toHaveLength(2);
});

test('refuses an engine item whose class differs from its expectation, writing nothing of the file', async () => {
  const dir = contentCopy();
  const path = join(dir, 'exams', 'items', 'fixture-bank.json');
  const text = readFileSync(path, 'utf8')
    .replace('"fx-physiology-001"', '"fx-physiology-002"')
    .replace('"expect": "early-inflation"', '"expect": "late-deflation"');
  writeFileSync(path, text);
  const rows = await countAllRows(handle);
  const report = await importExamContent(handle.db, dir);
  expect(report.refused).toHaveLength(1);
  expect(report.refused[0]?.errors[0]?.message).toMatch(
    /classifies beat 20 as early-inflation, but the item expects late-deflation/,
  );
  expect(report.refused[0]?.errors[0]?.line).toBe(
    text.split('\n').findIndex((l) => l.includes('fx-timing-engine-001')),
  );
  const after = await countAllRows(handle);
  expect(after.exam_items).toBe(rows.exam_items);
});
