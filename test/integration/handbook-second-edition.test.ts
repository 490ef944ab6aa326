import { fileURLToPath } from 'node:url';
import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, test } from 'vitest';
import type { DbHandle } from '#db/client.ts';
import { handbookDocuments, handbookRevisions } from '#db/schema/index.ts';
import { newId } from '#src/server/ids.ts';
import { getPublished, listPublishedChapters, makePublished } from '#src/server/services/handbook.ts';
import { listPublishedChanges } from '#src/server/services/handbook-authoring.ts';
import { importFirstEdition, readShippedDocuments } from '#src/server/services/handbook-import.ts';
import { createTestDb } from '#test/helpers/db.ts';
import { callerFor, makeUser } from '#test/helpers/factories.ts';

/** A copy of content/ as the first edition shipped it (handbook and curriculum only). */
const FIRST_EDITION_DIR = fileURLToPath(new URL('../fixtures/handbook-first-edition', import.meta.url));

async function revisionsOf(handle: DbHandle, kind: 'chapter' | 'module', slug: string) {
  return handle.db
    .select({
      revision: handbookRevisions.revision,
      status: handbookRevisions.status,
      authorId: handbookRevisions.authorId,
      body: handbookRevisions.bodyMarkdown,
      note: handbookRevisions.changeNote,
    })
    .from(handbookRevisions)
    .innerJoin(handbookDocuments, eq(handbookDocuments.id, handbookRevisions.documentId))
    .where(and(eq(handbookDocuments.kind, kind), eq(handbookDocuments.slug, slug)))
    .orderBy(handbookRevisions.revision);
}

test('a fresh portal gets the second edition as revision 1 of every document, noted as such', async () => {
  const handle = await createTestDb();
  const report = await importFirstEdition(handle.db);
  expect(report.created).toHaveLength(readShippedDocuments().length);
  for (const chapter of await listPublishedChapters(handle.db)) {
    const changes = await listPublishedChanges(handle.db, { kind: 'chapter', slug: chapter.slug });
    expect(changes?.map((c) => [c.revision, c.changeNote])).toEqual([[1, 'Second edition.']]);
  }
  expect((await getPublished(handle.db, 'chapter', 'the-equipment'))?.body).toContain('labelled maximum');
});

describe('a portal that holds the first edition and an educator’s edit', () => {
  let handle: DbHandle;
  const EDITED = 'Our unit keeps a signed pressure log for every session.';
  beforeAll(async () => {
    handle = await createTestDb();
    await importFirstEdition(handle.db, FIRST_EDITION_DIR);
    // An educator has published their own revision of one chapter.
    const educator = await makeUser(handle.db, { roles: ['member', 'educator'] });
    const [doc] = await handle.db
      .select()
      .from(handbookDocuments)
      .where(and(eq(handbookDocuments.kind, 'chapter'), eq(handbookDocuments.slug, 'the-equipment')));
    const first = await getPublished(handle.db, 'chapter', 'the-equipment');
    if (!doc || !first) throw new Error('first edition missing');
    const id = newId();
    const body = `${first.body}\n\n${EDITED}\n`;
    await handle.db.insert(handbookRevisions).values({
      id,
      documentId: doc.id,
      revision: 2,
      baseRevision: 1,
      bodyMarkdown: body,
      frontMatter: JSON.stringify(first.frontMatter),
      authorId: educator.id,
      status: 'approved',
      createdAt: Date.now(),
    });
    await makePublished(
      handle.db,
      doc,
      { id, title: first.frontMatter.title, body },
      educator.id,
      'Local log.',
      Date.now(),
    );
  });

  test('the first edition is what the fixture holds', async () => {
    const pleth = await getPublished(handle.db, 'chapter', 'reading-the-pleth-and-ds-ratio');
    expect(pleth?.body).toContain('Never exceed the system maximum of 300 mmHg');
  });

  test('upgrading publishes the second edition where nobody edited, and puts it in review where an educator did', async () => {
    const report = await importFirstEdition(handle.db);
    expect(report.created).toEqual([]);
    expect(report.updated).toContain('chapter:reading-the-pleth-and-ds-ratio');
    expect(report.updated).not.toContain('chapter:the-equipment');
    expect(report.inReview).toEqual(['chapter:the-equipment']);

    // Unedited: a new published revision through the same history, with the edition's note.
    const pleth = await revisionsOf(handle, 'chapter', 'reading-the-pleth-and-ds-ratio');
    expect(pleth.map((r) => [r.revision, r.status])).toEqual([
      [1, 'published'],
      [2, 'published'],
    ]);
    expect(pleth[1]?.note).toMatch(/^Second edition: .*trough/);
    const changes = await listPublishedChanges(handle.db, { kind: 'chapter', slug: 'reading-the-pleth-and-ds-ratio' });
    expect(changes?.[0]?.changeNote).toMatch(/^Second edition: /);
    expect(changes?.[1]?.changeNote).toBe('First edition.');

    // Edited: the educator's text stays published; the second edition waits in review beside it.
    const equipment = await revisionsOf(handle, 'chapter', 'the-equipment');
    expect(equipment.map((r) => [r.revision, r.status])).toEqual([
      [1, 'published'],
      [2, 'published'],
      [3, 'in-review'],
    ]);
    expect(equipment[2]?.authorId).toBeNull();
    expect(equipment[2]?.body).toContain('labelled maximum');
    const published = await getPublished(handle.db, 'chapter', 'the-equipment');
    expect(published?.revision).toBe(2);
    expect(published?.body).toContain(EDITED);
    expect(published?.body).not.toContain('labelled maximum');
  });

  test('importing again changes nothing: no second review copy, no new revisions', async () => {
    const before = await handle.db.select().from(handbookRevisions);
    const report = await importFirstEdition(handle.db);
    expect(report.updated).toEqual([]);
    expect(report.inReview).toEqual([]);
    expect(await handle.db.select().from(handbookRevisions)).toHaveLength(before.length);
  });

  test('the edition in review carries its suggested note; published as offered, readers see it under What changed', async () => {
    const ref = { kind: 'chapter' as const, slug: 'the-equipment' };
    const reviewer = await makeUser(handle.db, { roles: ['member', 'educator'] });
    const { caller } = await callerFor(handle.db, reviewer);
    // What the reviewer's editor opens with, and what its publish form is filled with.
    const state = await caller.handbook.editor(ref);
    expect(state.latest.status).toBe('in-review');
    expect(state.latest.changeNote).toMatch(/^Second edition: .*labelled maximum/);
    // Not shown to readers before it is published.
    const before = await listPublishedChanges(handle.db, ref);
    expect(before?.map((c) => c.changeNote)).not.toContain(state.latest.changeNote);

    await caller.handbook.review({ ...ref, revision: state.latest.revision, decision: 'approve', comment: '' });
    const approved = await caller.handbook.editor(ref);
    expect(approved.latest.changeNote).toBe(state.latest.changeNote);
    await caller.handbook.publish({
      ...ref,
      revision: approved.latest.revision,
      changeNote: approved.latest.changeNote,
    });

    const changes = await listPublishedChanges(handle.db, ref);
    expect(changes?.map((c) => [c.revision, c.changeNote])).toEqual([
      [3, state.latest.changeNote],
      [2, 'Local log.'],
      [1, 'First edition.'],
    ]);
    expect((await getPublished(handle.db, 'chapter', 'the-equipment'))?.body).toContain('labelled maximum');
  });
});
