import { eq } from 'drizzle-orm';
import { beforeAll, expect, test } from 'vitest';
import { handbookAutosaves } from '#db/schema/index.ts';
import { flattenFieldErrors } from '#src/server/api/trpc.ts';
import { importFirstEdition } from '#src/server/services/handbook-import.ts';
import { NEW_DOCUMENT_TEMPLATES } from '#src/server/services/handbook-templates.ts';
import { countAllRows, useTestDb } from '#test/helpers/db.ts';
import { callerFor, type MadeUser, makeUser } from '#test/helpers/factories.ts';
import { trpcErrorOf } from '#test/helpers/trpc.ts';
import { expectInert, XSS_PAYLOADS } from '#test/helpers/xss-corpus.ts';

const handle = useTestDb();
let first: MadeUser;
let second: MadeUser;
type Caller = Awaited<ReturnType<typeof callerFor>>['caller'];
let asFirst: Caller;
let asSecond: Caller;
let asMember: Caller;

beforeAll(async () => {
  await importFirstEdition(handle.db);
  first = await makeUser(handle.db, { roles: ['member', 'educator'], name: 'Fiona First' });
  second = await makeUser(handle.db, { roles: ['member', 'educator'], name: 'Sam Second' });
  asFirst = (await callerFor(handle.db, first)).caller;
  asSecond = (await callerFor(handle.db, second)).caller;
  asMember = (await callerFor(handle.db, await makeUser(handle.db, { roles: ['member'] }))).caller;
});

const TROUBLESHOOTING = { kind: 'chapter' as const, slug: 'troubleshooting-and-safety' };
const PREPARATION = { kind: 'chapter' as const, slug: 'patient-preparation-and-cuff-application' };

/** The chapter's front matter with another body, as the editor's textarea would hold it. */
async function withBody(ref: typeof TROUBLESHOOTING, body: string): Promise<string> {
  const state = await asFirst.handbook.editor(ref);
  const head = /^---\n[\s\S]*?\n---\n/.exec(state.latest.source)?.[0];
  if (!head) throw new Error('the editor text should start with front matter');
  return `${head}\n${body}`;
}

test.each(XSS_PAYLOADS)('the live preview returns inert HTML for: %s', async (payload) => {
  const source = await withBody(TROUBLESHOOTING, `Text before.\n\n${payload}\n\nText after.`);
  const preview = await asFirst.handbook.preview({ ...TROUBLESHOOTING, source });
  if (!preview.ok) throw new Error(`the preview should render: ${preview.messages.join('; ')}`);
  expectInert(preview.html);
  expect(preview.html).toContain('Text before.');
  expect(preview.html).toContain('Text after.');
});

test('the live preview reports front matter it cannot read instead of rendering, and members cannot use it', async () => {
  const broken = await asFirst.handbook.preview({ ...TROUBLESHOOTING, source: '---\ntitle: [unclosed\n---\n\nText' });
  expect(broken.ok).toBe(false);
  if (broken.ok) return;
  expect(broken.messages.join(' ')).toContain('YAML');
  const source = await withBody(TROUBLESHOOTING, 'Text.');
  expect((await trpcErrorOf(asMember.handbook.preview({ ...TROUBLESHOOTING, source }))).code).toBe('FORBIDDEN');
});

test('autosaves twice without making revisions; the editor offers the text back; saving the draft clears it', async () => {
  const opened = await asFirst.handbook.editor(TROUBLESHOOTING);
  const base = opened.latest.revision;
  expect(opened.autosave).toBeNull();
  const revisionsBefore = (await countAllRows(handle)).handbook_revisions;

  const once = await asFirst.handbook.autosaveDraft({ ...TROUBLESHOOTING, baseRevision: base, source: 'half-typed' });
  expect(once).toMatchObject({ ok: true, savedAt: expect.any(Number) });
  // Half-typed front matter is kept: it is work, not yet a revision.
  const text = `${opened.latest.source}\n\nA new paragraph on cuff leaks.\n`;
  const twice = await asFirst.handbook.autosaveDraft({ ...TROUBLESHOOTING, baseRevision: base, source: text });
  expect(twice.ok).toBe(true);
  expect((await countAllRows(handle)).handbook_revisions).toBe(revisionsBefore);

  const reopened = await asFirst.handbook.editor(TROUBLESHOOTING);
  expect(reopened.autosave).toMatchObject({ baseRevision: base, source: text });
  // Another educator's editor does not offer someone else's working text.
  expect((await asSecond.handbook.editor(TROUBLESHOOTING)).autosave).toBeNull();

  const saved = await asFirst.handbook.saveDraft({ ...TROUBLESHOOTING, baseRevision: base, source: text });
  expect(saved).toMatchObject({ ok: true, revision: base + 1 });
  expect((await asFirst.handbook.editor(TROUBLESHOOTING)).autosave).toBeNull();
  expect(await handle.db.select().from(handbookAutosaves).where(eq(handbookAutosaves.userId, first.id))).toEqual([]);
});

test('an autosave on a stale base is refused with who saved; nothing of either educator is lost', async () => {
  const opened = await asFirst.handbook.editor(PREPARATION);
  const base = opened.latest.revision;
  const secondText = `${opened.latest.source}\n\nSecond educator's paragraph.\n`;
  const firstText = `${opened.latest.source}\n\nFirst educator's paragraph.\n`;
  expect((await asFirst.handbook.autosaveDraft({ ...PREPARATION, baseRevision: base, source: firstText })).ok).toBe(
    true,
  );

  // The second educator saves a draft while the first is still typing.
  expect(await asSecond.handbook.saveDraft({ ...PREPARATION, baseRevision: base, source: secondText })).toMatchObject({
    ok: true,
    revision: base + 1,
  });

  const before = await countAllRows(handle);
  const stale = await asFirst.handbook.autosaveDraft({
    ...PREPARATION,
    baseRevision: base,
    source: `${firstText}More.\n`,
  });
  expect(stale).toMatchObject({
    ok: false,
    code: 'CONFLICT',
    conflict: { latestRevision: base + 1, latestAuthorName: 'Sam Second' },
  });
  expect(await countAllRows(handle)).toEqual(before);

  // The second educator's draft is intact, and the first educator's last autosaved text is still offered,
  // with the revision it was written on, so saving it leads to the conflict page that shows both texts.
  const state = await asFirst.handbook.editor(PREPARATION);
  expect(state.latest.revision).toBe(base + 1);
  expect(state.latest.source).toContain("Second educator's paragraph.");
  expect(state.autosave).toMatchObject({ baseRevision: base, source: firstText });
  const conflict = await asFirst.handbook.saveDraft({ ...PREPARATION, baseRevision: base, source: firstText });
  expect(conflict).toMatchObject({ ok: false, code: 'CONFLICT', conflict: { latestRevision: base + 1 } });
});

test('discarding the autosaved text forgets it; an unknown document is refused', async () => {
  const opened = await asSecond.handbook.editor(TROUBLESHOOTING);
  const source = `${opened.latest.source}\n\nTo be discarded.\n`;
  await asSecond.handbook.autosaveDraft({ ...TROUBLESHOOTING, baseRevision: opened.latest.revision, source });
  expect((await asSecond.handbook.editor(TROUBLESHOOTING)).autosave?.source).toBe(source);
  expect(await asSecond.handbook.discardAutosave(TROUBLESHOOTING)).toEqual({ ok: true });
  expect((await asSecond.handbook.editor(TROUBLESHOOTING)).autosave).toBeNull();

  const before = await countAllRows(handle);
  const missing = { kind: 'chapter' as const, slug: 'no-such-chapter' };
  const error = await trpcErrorOf(asSecond.handbook.autosaveDraft({ ...missing, baseRevision: 1, source: 'x' }));
  expect(error.code).toBe('NOT_FOUND');
  expect(
    (await trpcErrorOf(asMember.handbook.autosaveDraft({ ...TROUBLESHOOTING, baseRevision: 1, source: 'x' }))).code,
  ).toBe('FORBIDDEN');
  expect(await countAllRows(handle)).toEqual(before);
});

test('a module whose simulator exercise names no scenario preset is saved with that broken link reported', async () => {
  const ref = { kind: 'module' as const, slug: 'l1-ecg-triggering-and-timing' };
  const opened = await asFirst.handbook.editor(ref);
  expect(opened.latest.source).toContain('scenario: default-stable-angina');
  const source = opened.latest.source.replace('scenario: default-stable-angina', 'scenario: no-such-scenario');
  const preview = await asFirst.handbook.preview({ ...ref, source });
  if (!preview.ok) throw new Error('the preview should render');
  expect(preview.brokenLinks).toEqual([
    {
      url: '/simulator?scenario=no-such-scenario',
      line: 0,
      column: 0,
      reason: 'Simulator exercise: there is no scenario preset "no-such-scenario".',
    },
  ]);
  const saved = await asFirst.handbook.saveDraft({ ...ref, baseRevision: opened.latest.revision, source });
  expect(saved).toMatchObject({ ok: true, brokenLinks: [{ url: '/simulator?scenario=no-such-scenario' }] });
  const blocked = await trpcErrorOf(asFirst.handbook.submit({ ...ref, revision: opened.latest.revision + 1 }));
  expect(blocked.message).toContain('there is no scenario preset "no-such-scenario"');
});

test('a new document still carrying the template title or slug is refused with what to change, and nothing is written', async () => {
  const before = await countAllRows(handle);
  for (const kind of ['chapter', 'module'] as const) {
    const error = await trpcErrorOf(asFirst.handbook.create({ kind, source: NEW_DOCUMENT_TEMPLATES[kind] }));
    expect(error.code).toBe('BAD_REQUEST');
    const source = flattenFieldErrors(error.cause)?.source ?? '';
    expect(source, kind).toMatch(/^title: .*template.*\nslug: .*template/);
  }
  expect(await countAllRows(handle)).toEqual(before);
  const own = NEW_DOCUMENT_TEMPLATES.chapter
    .replace('New chapter title', 'Cuff sizes')
    .replace('new-chapter-slug', 'cuff-sizes');
  expect((await asFirst.handbook.create({ kind: 'chapter', source: own })).slug).toBe('cuff-sizes');
});
