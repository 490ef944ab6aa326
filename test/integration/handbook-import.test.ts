import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { curriculumLevels, handbookDocuments, handbookRevisions } from '#db/schema/index.ts';
import { newId } from '#src/server/ids.ts';
import { getPublished, listPublishedChapters, listPublishedModules } from '#src/server/services/handbook.ts';
import { DEFAULT_CONTENT_DIR, importFirstEdition, readShippedDocuments } from '#src/server/services/handbook-import.ts';
import { useTestDb } from '#test/helpers/db.ts';
import { makeUser } from '#test/helpers/factories.ts';

const handle = useTestDb();
let contentDir: string;
beforeAll(async () => {
  contentDir = mkdtempSync(join(tmpdir(), 'iecpa-content-'));
  cpSync(DEFAULT_CONTENT_DIR, contentDir, { recursive: true });
});
afterAll(() => rmSync(contentDir, { recursive: true, force: true }));

async function revisionsOf(kind: 'chapter' | 'module', slug: string) {
  return handle.db
    .select({
      revision: handbookRevisions.revision,
      body: handbookRevisions.bodyMarkdown,
      status: handbookRevisions.status,
    })
    .from(handbookRevisions)
    .innerJoin(handbookDocuments, eq(handbookDocuments.id, handbookRevisions.documentId))
    .where(and(eq(handbookDocuments.kind, kind), eq(handbookDocuments.slug, slug)))
    .orderBy(handbookRevisions.revision);
}

test('imports every shipped chapter, module and level as published revision 1', async () => {
  const shipped = readShippedDocuments(contentDir);
  const report = await importFirstEdition(handle.db, contentDir);
  expect(report.created).toHaveLength(shipped.length);
  expect(report.levelsAdded).toBe(3);
  const chapters = await listPublishedChapters(handle.db);
  const modules = await listPublishedModules(handle.db);
  expect(chapters.length).toBeGreaterThanOrEqual(8);
  expect(modules.length).toBeGreaterThanOrEqual(6);
  expect(chapters.length + modules.length).toBe(shipped.length);
  expect(chapters.every((c) => c.revision === 1)).toBe(true);
  expect(chapters[0]?.frontMatter.partOrder).toBe(1);
  expect(await handle.db.select().from(curriculumLevels)).toHaveLength(3);
});

test('a second import changes nothing', async () => {
  const before = await handle.db.select().from(handbookRevisions);
  const report = await importFirstEdition(handle.db, contentDir);
  expect(report.created).toEqual([]);
  expect(report.updated).toEqual([]);
  expect(report.levelsAdded).toBe(0);
  expect(report.unchanged).toBe(before.length);
  expect(await handle.db.select().from(handbookRevisions)).toHaveLength(before.length);
});

test('a changed shipped file updates a document only the import has written', async () => {
  const file = join(contentDir, 'handbook', '03-the-equipment.md');
  writeFileSync(file, `${readFileSync(file, 'utf8')}\nA sentence added in a later shipped edition.\n`);
  const report = await importFirstEdition(handle.db, contentDir);
  expect(report.updated).toEqual(['chapter:the-equipment']);
  const published = await getPublished(handle.db, 'chapter', 'the-equipment');
  expect(published?.revision).toBe(2);
  expect(published?.body).toContain('A sentence added in a later shipped edition.');
});

test('never overwrites a document an educator has revised', async () => {
  const educator = await makeUser(handle.db, { roles: ['member', 'educator'] });
  const [doc] = await handle.db
    .select()
    .from(handbookDocuments)
    .where(and(eq(handbookDocuments.kind, 'chapter'), eq(handbookDocuments.slug, 'the-equipment')));
  if (!doc) throw new Error('chapter missing');
  await handle.db.insert(handbookRevisions).values({
    id: newId(),
    documentId: doc.id,
    revision: 3,
    baseRevision: 2,
    bodyMarkdown: '## Equipment\n\nAn educator’s draft.',
    frontMatter: '{}',
    authorId: educator.id,
    status: 'draft',
    createdAt: Date.now(),
  });
  const file = join(contentDir, 'handbook', '03-the-equipment.md');
  writeFileSync(file, `${readFileSync(file, 'utf8')}\nYet another shipped change.\n`);

  const report = await importFirstEdition(handle.db, contentDir);
  expect(report.keptRevised).toContain('chapter:the-equipment');
  expect(report.updated).toEqual([]);
  const revisions = await revisionsOf('chapter', 'the-equipment');
  expect(revisions.map((r) => r.revision)).toEqual([1, 2, 3]);
  expect(revisions.at(-1)?.body).toBe('## Equipment\n\nAn educator’s draft.');
  expect((await getPublished(handle.db, 'chapter', 'the-equipment'))?.body).not.toContain(
    'Yet another shipped change.',
  );
});

test('the database refuses to rewrite or delete a revision', async () => {
  const [revision] = await handle.db.select().from(handbookRevisions).limit(1);
  if (!revision) throw new Error('no revision');
  await expect(
    handle.db.update(handbookRevisions).set({ bodyMarkdown: 'rewritten' }).where(eq(handbookRevisions.id, revision.id)),
  ).rejects.toThrow();
  await expect(handle.db.delete(handbookRevisions).where(eq(handbookRevisions.id, revision.id))).rejects.toThrow();
});
