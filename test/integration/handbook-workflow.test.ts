import { eq, sql } from 'drizzle-orm';
import { beforeAll, expect, test } from 'vitest';
import { auditLog, mailOutbox } from '#db/schema/index.ts';
import { importFirstEdition as importFirstEditionAtStart } from '#scripts/prepare-db.ts';
import { importFirstEdition } from '#src/server/services/handbook-import.ts';
import { useTestDb } from '#test/helpers/db.ts';
import { callerFor, type MadeUser, makeUser } from '#test/helpers/factories.ts';
import { trpcErrorOf } from '#test/helpers/trpc.ts';

const handle = useTestDb();
let author: MadeUser;
let reviewer: MadeUser;
let member: MadeUser;
type Caller = Awaited<ReturnType<typeof callerFor>>['caller'];
let asAuthor: Caller;
let asReviewer: Caller;
let asMember: Caller;

beforeAll(async () => {
  await importFirstEdition(handle.db);
  author = await makeUser(handle.db, { roles: ['member', 'educator'], name: 'Ada Author' });
  reviewer = await makeUser(handle.db, { roles: ['member', 'educator'], name: 'Rita Reviewer' });
  member = await makeUser(handle.db, { roles: ['member'] });
  asAuthor = (await callerFor(handle.db, author)).caller;
  asReviewer = (await callerFor(handle.db, reviewer)).caller;
  asMember = (await callerFor(handle.db, member)).caller;
});

const EQUIPMENT = { kind: 'chapter' as const, slug: 'the-equipment' };

async function editedSource(ref: { kind: 'chapter' | 'module'; slug: string }, edit: (s: string) => string) {
  const state = await asAuthor.handbook.editor(ref);
  return { base: state.latest.revision, source: edit(state.latest.source) };
}

test('draft, submit, request changes, revise, approve, publish: the member sees the new revision', async () => {
  const first = await editedSource(EQUIPMENT, (s) => `${s}\n\n## Maintenance log\n\nRecord every service visit.\n`);
  const saved = await asAuthor.handbook.saveDraft({ ...EQUIPMENT, baseRevision: first.base, source: first.source });
  expect(saved).toMatchObject({ ok: true, revision: 2, brokenLinks: [] });
  await asAuthor.handbook.submit({ ...EQUIPMENT, revision: 2 });

  const ownReview = await trpcErrorOf(
    asAuthor.handbook.review({ ...EQUIPMENT, revision: 2, decision: 'approve', comment: '' }),
  );
  expect(ownReview.code).toBe('FORBIDDEN');
  const noComment = await trpcErrorOf(
    asReviewer.handbook.review({ ...EQUIPMENT, revision: 2, decision: 'request-changes', comment: ' ' }),
  );
  expect(noComment.code).toBe('BAD_REQUEST');
  await asReviewer.handbook.review({
    ...EQUIPMENT,
    revision: 2,
    decision: 'request-changes',
    comment: 'Say who keeps the log.',
  });
  const notApproved = await trpcErrorOf(
    asAuthor.handbook.publish({ ...EQUIPMENT, revision: 2, changeNote: 'Maintenance log.' }),
  );
  expect(notApproved.message).toContain('changes-requested');

  const second = await editedSource(EQUIPMENT, (s) =>
    s.replace('Record every service visit.', 'The unit lead records every service visit.'),
  );
  expect(second.base).toBe(2);
  await asAuthor.handbook.saveDraft({ ...EQUIPMENT, baseRevision: 2, source: second.source });
  await asAuthor.handbook.submit({ ...EQUIPMENT, revision: 3 });
  await asReviewer.handbook.review({ ...EQUIPMENT, revision: 3, decision: 'approve', comment: 'Good.' });
  await asAuthor.handbook.publish({ ...EQUIPMENT, revision: 3, changeNote: 'Added the maintenance log.' });

  const chapter = await asMember.handbook.chapter({ slug: 'the-equipment' });
  expect(chapter.revision).toBe(3);
  if (chapter.locked) throw new Error('member should read the chapter');
  expect(chapter.html).toContain('The unit lead records every service visit.');
  expect(chapter.headings.map((h) => h.id)).toContain('maintenance-log');

  const history = await asAuthor.handbook.history(EQUIPMENT);
  expect(history.map((r) => [r.revision, r.status])).toEqual([
    [3, 'published'],
    [2, 'changes-requested'],
    [1, 'published'],
  ]);
  expect(history[1]).toMatchObject({
    reviewComment: 'Say who keeps the log.',
    reviewerName: 'Rita Reviewer',
    authorName: 'Ada Author',
  });

  const diff = await asAuthor.handbook.diff({ ...EQUIPMENT, from: 1, to: 3 });
  expect(diff.stats.added).toBeGreaterThan(0);
  expect(diff.rows.some((r) => r.kind === 'added' && r.newText === '## Maintenance log')).toBe(true);

  const changes = await asMember.handbook.changes({ slug: 'the-equipment' });
  expect(changes.publications.map((p) => [p.revision, p.changeNote])).toEqual([
    [3, 'Added the maintenance log.'],
    [1, 'Second edition.'],
  ]);
  expect(changes.diff).toMatchObject({ from: 1, to: 3 });
  // Readers see the rendered text compared word by word: no Markdown (the heading has no "##").
  const blocks = changes.diff?.blocks ?? [];
  expect(blocks).toContainEqual({ kind: 'added', runs: [{ kind: 'added', text: 'Maintenance log' }] });
  expect(blocks).toContainEqual({
    kind: 'added',
    runs: [{ kind: 'added', text: 'The unit lead records every service visit.' }],
  });
  expect(JSON.stringify(blocks)).not.toContain('##');
  expect(changes.diff?.stats.added).toBe(9);

  const audit = await handle.db.select().from(auditLog).where(eq(auditLog.action, 'handbook.published'));
  expect(audit).toHaveLength(1);
  expect(JSON.parse(audit[0]?.details ?? '{}')).toMatchObject({ slug: 'the-equipment', revision: 3 });
});

test('a rollback needs a reason, becomes a revision in review, mails reviewers and is published once approved', async () => {
  const noReason = await trpcErrorOf(asReviewer.handbook.rollback({ ...EQUIPMENT, revision: 1, changeNote: '  ' }));
  expect(noReason.code).toBe('BAD_REQUEST');
  expect((await asAuthor.handbook.history(EQUIPMENT))[0]?.revision).toBe(3);

  const outboxBefore = (await handle.db.select().from(mailOutbox)).length;
  const result = await asReviewer.handbook.rollback({
    ...EQUIPMENT,
    revision: 1,
    changeNote: 'Log section under discussion.',
  });
  expect(result).toEqual({ ok: true, revision: 4 });
  // Nothing changes for readers until another educator approves it.
  const unchanged = await asMember.handbook.chapter({ slug: 'the-equipment' });
  expect(unchanged.revision).toBe(3);
  const history = await asAuthor.handbook.history(EQUIPMENT);
  expect(history[0]).toMatchObject({ revision: 4, baseRevision: 1, status: 'in-review' });
  expect(history[0]?.changeNote).toBe('Log section under discussion.');
  // The other educator (the author) is mailed; the one who proposed the rollback is not.
  const mails = (await handle.db.select().from(mailOutbox)).slice(outboxBefore);
  expect(mails.map((m) => m.toAddress)).toEqual([author.email]);
  expect(mails[0]?.subject).toContain('waits for review');
  expect(mails[0]?.textBody).toContain('/educator/edit/chapter/the-equipment');

  // A second click would only copy the same text again.
  const again = await trpcErrorOf(
    asReviewer.handbook.rollback({ ...EQUIPMENT, revision: 1, changeNote: 'Log section under discussion.' }),
  );
  expect(again.code).toBe('CONFLICT');
  expect(await asAuthor.handbook.history(EQUIPMENT)).toHaveLength(4);
  // Who proposed it cannot approve it.
  const own = await trpcErrorOf(
    asReviewer.handbook.review({ ...EQUIPMENT, revision: 4, decision: 'approve', comment: '' }),
  );
  expect(own.code).toBe('FORBIDDEN');
  await asAuthor.handbook.review({ ...EQUIPMENT, revision: 4, decision: 'approve', comment: 'Agreed.' });
  await asReviewer.handbook.publish({ ...EQUIPMENT, revision: 4, changeNote: 'Back to the first edition text.' });
  const chapter = await asMember.handbook.chapter({ slug: 'the-equipment' });
  expect(chapter.revision).toBe(4);
  if (chapter.locked) throw new Error('member should read the chapter');
  expect(chapter.html).not.toContain('maintenance-log');
  const audit = await handle.db.select().from(auditLog).where(eq(auditLog.action, 'handbook.rollback-submitted'));
  expect(JSON.parse(audit[0]?.details ?? '{}')).toMatchObject({ to: 1, newRevision: 4 });

  const published = await trpcErrorOf(
    asReviewer.handbook.rollback({ ...EQUIPMENT, revision: 4, changeNote: 'Again.' }),
  );
  expect(published.message).toContain('already published');
  // Revision 2 was never published (changes were requested): restoring it would skip review.
  const unreviewed = await trpcErrorOf(
    asReviewer.handbook.rollback({ ...EQUIPMENT, revision: 2, changeNote: 'Why not.' }),
  );
  expect(unreviewed.message).toContain('published before');
});

test('submitting a draft for review mails the other educators, not its author', async () => {
  const ref = { kind: 'chapter' as const, slug: 'the-equipment' };
  const edit = await editedSource(ref, (s) => `${s}\nOne more sentence for the reviewers.\n`);
  const saved = await asAuthor.handbook.saveDraft({ ...ref, baseRevision: edit.base, source: edit.source });
  if (!saved.ok) throw new Error('expected the draft to save');
  const outboxBefore = (await handle.db.select().from(mailOutbox)).length;
  await asAuthor.handbook.submit({ ...ref, revision: saved.revision });
  const mails = (await handle.db.select().from(mailOutbox)).slice(outboxBefore);
  expect(mails.map((m) => m.toAddress)).toEqual([reviewer.email]);
  expect(mails[0]?.textBody).toContain(`revision ${saved.revision}`);
});

test('the second of two educators saving the same draft is told of the conflict and keeps nothing overwritten', async () => {
  const ref = { kind: 'chapter' as const, slug: 'ecg-triggering-and-timing' };
  const opened = await asAuthor.handbook.editor(ref);
  const base = opened.latest.revision;
  const mine = `${opened.latest.source}\nThe author's paragraph.\n`;
  const theirs = `${opened.latest.source}\nThe reviewer's paragraph.\n`;
  expect(await asAuthor.handbook.saveDraft({ ...ref, baseRevision: base, source: mine })).toMatchObject({ ok: true });
  const conflict = await asReviewer.handbook.saveDraft({ ...ref, baseRevision: base, source: theirs });
  expect(conflict).toMatchObject({
    ok: false,
    code: 'CONFLICT',
    conflict: { latestRevision: base + 1, latestAuthorName: 'Ada Author' },
  });
  if (!('conflict' in conflict)) throw new Error('expected a conflict');
  expect(conflict.conflict.latestSource).toContain("The author's paragraph.");
  // Saving again on top of the newest revision, with both paragraphs, succeeds.
  const merged = `${conflict.conflict.latestSource}The reviewer's paragraph.\n`;
  expect(await asReviewer.handbook.saveDraft({ ...ref, baseRevision: base + 1, source: merged })).toMatchObject({
    ok: true,
    revision: base + 2,
  });
  const history = await asAuthor.handbook.history(ref);
  expect(history).toHaveLength(3);
});

test('a broken internal link is reported with its line on save and blocks submission', async () => {
  const ref = { kind: 'chapter' as const, slug: 'troubleshooting-and-safety' };
  const opened = await asAuthor.handbook.editor(ref);
  const source = `${opened.latest.source}\nSee [the missing chapter](/handbook/no-such-chapter).\n`;
  const saved = await asAuthor.handbook.saveDraft({ ...ref, baseRevision: opened.latest.revision, source });
  if (!saved.ok) throw new Error('save should succeed with a warning');
  const line = source.split('\n').findIndex((l) => l.includes('no-such-chapter')) + 1;
  // Lines are counted in the body, which starts after the front matter and one blank line.
  const bodyStart = source.split('\n').findIndex((l, i) => i > 0 && l === '---') + 3;
  expect(saved.brokenLinks).toEqual([
    expect.objectContaining({ url: '/handbook/no-such-chapter', line: line - bodyStart + 1 }),
  ]);
  const refused = await trpcErrorOf(asAuthor.handbook.submit({ ...ref, revision: saved.revision }));
  expect(refused.code).toBe('BAD_REQUEST');
  expect(refused.message).toMatch(/Line \d+, column \d+: \/handbook\/no-such-chapter/);
});

test('invalid front matter and a changed slug are refused with the reason', async () => {
  const opened = await asAuthor.handbook.editor(EQUIPMENT);
  const badSlug = opened.latest.source.replace('slug: the-equipment', 'slug: renamed');
  const slugError = await trpcErrorOf(
    asAuthor.handbook.saveDraft({ ...EQUIPMENT, baseRevision: opened.latest.revision, source: badSlug }),
  );
  expect(JSON.stringify(slugError.cause)).toContain('slug cannot change');
  const noFrontMatter = await trpcErrorOf(
    asAuthor.handbook.saveDraft({ ...EQUIPMENT, baseRevision: opened.latest.revision, source: 'Just text' }),
  );
  expect(noFrontMatter.code).toBe('BAD_REQUEST');
});

test('a member cannot edit, review or publish', async () => {
  const ref = EQUIPMENT;
  expect((await trpcErrorOf(asMember.handbook.editor(ref))).code).toBe('FORBIDDEN');
  expect((await trpcErrorOf(asMember.handbook.saveDraft({ ...ref, baseRevision: 1, source: 'x' }))).code).toBe(
    'FORBIDDEN',
  );
  expect(
    (await trpcErrorOf(asMember.handbook.review({ ...ref, revision: 1, decision: 'approve', comment: '' }))).code,
  ).toBe('FORBIDDEN');
  expect((await trpcErrorOf(asMember.handbook.publish({ ...ref, revision: 1, changeNote: 'note' }))).code).toBe(
    'FORBIDDEN',
  );
});

test('preview renders sanitised HTML and lists broken links without saving', async () => {
  const opened = await asAuthor.handbook.editor(EQUIPMENT);
  const before = (await asAuthor.handbook.history(EQUIPMENT)).length;
  const preview = await asAuthor.handbook.preview({
    ...EQUIPMENT,
    source: `${opened.latest.source}\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) [y](#nowhere)\n`,
  });
  if (!preview.ok) throw new Error('preview should render');
  expect(preview.html).not.toContain('<script');
  expect(preview.html).not.toContain('javascript:');
  expect(preview.brokenLinks.map((l) => l.url)).toEqual(['#nowhere']);
  expect((await asAuthor.handbook.history(EQUIPMENT)).length).toBe(before);
});

test('search finds a word in a published chapter and not one that is only in a draft', async () => {
  const ref = { kind: 'chapter' as const, slug: 'special-patient-groups' };
  const opened = await asAuthor.handbook.editor(ref);
  await asAuthor.handbook.saveDraft({
    ...ref,
    baseRevision: opened.latest.revision,
    source: `${opened.latest.source}\nZyxwordunpublished appears only in this draft.\n`,
  });
  expect(await asMember.handbook.search({ q: 'zyxwordunpublished' })).toEqual([]);
  const hits = await asMember.handbook.search({ q: 'dicrotic notch' });
  expect(hits.length).toBeGreaterThan(0);
  expect(hits.some((h) => h.slug === 'physiology-of-counterpulsation')).toBe(true);
  expect(hits[0]?.snippetHtml).toMatch(/<mark>(dicrotic|notch)<\/mark>/i);
  // Operators and quotes in the query are words, not syntax.
  expect(await asMember.handbook.search({ q: '" OR * NEAR(' })).toEqual(expect.any(Array));
});

test('anonymous visitors see a chapter summary only', async () => {
  const { anonymousCaller } = await import('#test/helpers/factories.ts');
  const chapter = await anonymousCaller(handle.db).handbook.chapter({ slug: 'physiology-of-counterpulsation' });
  expect(chapter.locked).toBe(true);
  expect(chapter).not.toHaveProperty('html');
  expect(chapter.summary.length).toBeGreaterThan(10);
});

test('an educator creates a new chapter as a draft that readers see only once it is published', async () => {
  const source = [
    '---',
    'title: Home-based follow-up',
    'slug: home-based-follow-up',
    'part: "Part IV — Beyond the clinic"',
    'partOrder: 4',
    'order: 1',
    'summary: How practitioners follow patients up after a course.',
    '---',
    '',
    '## Telephone follow-up',
    '',
    'Call the patient a week after the last session. See [timing](/handbook/ecg-triggering-and-timing).',
  ].join('\n');
  expect(await asAuthor.handbook.create({ kind: 'chapter', source })).toEqual({
    ok: true,
    slug: 'home-based-follow-up',
  });
  expect((await trpcErrorOf(asMember.handbook.chapter({ slug: 'home-based-follow-up' }))).code).toBe('NOT_FOUND');
  const taken = await trpcErrorOf(asAuthor.handbook.create({ kind: 'chapter', source }));
  expect(JSON.stringify(taken.cause)).toContain('already uses this slug');

  const ref = { kind: 'chapter' as const, slug: 'home-based-follow-up' };
  await asAuthor.handbook.submit({ ...ref, revision: 1 });
  await asReviewer.handbook.review({ ...ref, revision: 1, decision: 'approve', comment: '' });
  await asReviewer.handbook.publish({ ...ref, revision: 1, changeNote: 'New chapter.' });
  const chapter = await asMember.handbook.chapter({ slug: 'home-based-follow-up' });
  expect(chapter).toMatchObject({ revision: 1, part: 'Part IV — Beyond the clinic', locked: false });
});

test('a revision with no change is refused and nothing is recorded', async () => {
  const ref = { kind: 'chapter' as const, slug: 'troubleshooting-and-safety' };
  const opened = await asAuthor.handbook.editor(ref);
  const before = (await asAuthor.handbook.editor(ref)).latest.revision;
  const same = await trpcErrorOf(
    asAuthor.handbook.saveDraft({ ...ref, baseRevision: opened.latest.revision, source: opened.latest.source }),
  );
  expect(same.code).toBe('BAD_REQUEST');
  expect(same.message).toContain('Nothing has changed');
  expect((await asAuthor.handbook.editor(ref)).latest.revision).toBe(before);
  // One changed character is a change.
  const changed = await asAuthor.handbook.saveDraft({
    ...ref,
    baseRevision: opened.latest.revision,
    source: `${opened.latest.source}\nA local note.\n`,
  });
  expect(changed).toMatchObject({ ok: true, revision: before + 1 });
});

test('at start the search index of published documents is rebuilt, so text indexed by older code is replaced', async () => {
  // An index row as older code wrote it: list items run together, and a word no revision holds.
  await handle.db.run(
    sql`update handbook_search set body = 'zyxwordstale alarm.The safe' where slug = 'troubleshooting-and-safety'`,
  );
  expect(await asMember.handbook.search({ q: 'zyxwordstale' })).toHaveLength(1);
  const indexed = await importFirstEditionAtStart(handle);
  expect(indexed.created).toEqual([]);
  expect(await asMember.handbook.search({ q: 'zyxwordstale' })).toEqual([]);
  const hits = await asMember.handbook.search({ q: 'alarm' });
  expect(hits.some((hit) => hit.slug === 'troubleshooting-and-safety')).toBe(true);
  expect(hits.map((hit) => hit.snippetHtml).join(' ')).not.toContain('alarm.The');
});
