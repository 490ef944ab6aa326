import { beforeAll, expect, test } from 'vitest';
import { handbookRevisions } from '#db/schema/index.ts';
import { RATE_LIMITS } from '#src/server/auth/rate-limit.ts';
import { MARKDOWN_LIMITS, markdownComplexityProblems } from '#src/server/markdown.ts';
import { MarkdownTooSlowError, renderMarkdownOffThread } from '#src/server/markdown-pool.ts';
import { importFirstEdition } from '#src/server/services/handbook-import.ts';
import { useTestDb } from '#test/helpers/db.ts';
import { callerFor, makeUser } from '#test/helpers/factories.ts';
import { trpcErrorOf } from '#test/helpers/trpc.ts';

const handle = useTestDb();
let educator: Awaited<ReturnType<typeof callerFor>>['caller'];
const CHAPTER = { kind: 'chapter' as const, slug: 'troubleshooting-and-safety' };
let head = '';
let base = 0;

beforeAll(async () => {
  await importFirstEdition(handle.db);
  educator = (await callerFor(handle.db, await makeUser(handle.db, { roles: ['member', 'educator'] }))).caller;
  const state = await educator.handbook.editor(CHAPTER);
  head = /^---\n[\s\S]*?\n---\n/.exec(state.latest.source)?.[0] ?? '';
  base = state.latest.revision;
});

/** The inputs that froze the server (issue: one Markdown preview freezes the server). */
const ATTACKS = {
  'brackets then emphasis (32 KB)': `${'['.repeat(16_000)}\n${'*a'.repeat(8_000)}`,
  'mixed emphasis marks (32 KB)': '*_'.repeat(16_000),
  'nested quotes (10 KB)': '> '.repeat(5_000),
  'nested lists': Array.from({ length: 200 }, (_, i) => `${' '.repeat(i * 2)}- item`).join('\n'),
};

test.each(Object.entries(ATTACKS))('preview refuses %s at once with a message, before parsing', async (_name, body) => {
  const started = performance.now();
  const preview = await educator.handbook.preview({ ...CHAPTER, source: `${head}\n${body}` });
  expect(performance.now() - started).toBeLessThan(1_000);
  expect(preview.ok).toBe(false);
  expect(preview.ok ? '' : preview.messages.join(' ')).toMatch(/paragraph has more than|nested|indented/);
});

test.each(Object.entries(ATTACKS))(
  'saving %s is refused as a field error and stores no revision',
  async (_name, body) => {
    const before = (await handle.db.select().from(handbookRevisions)).length;
    const error = await trpcErrorOf(
      educator.handbook.saveDraft({ ...CHAPTER, baseRevision: base, source: `${head}\n${body}` }),
    );
    expect(error.code).toBe('BAD_REQUEST');
    expect((await handle.db.select().from(handbookRevisions)).length).toBe(before);
  },
);

test('every shipped chapter and module is within the limits', async () => {
  const revisions = await handle.db.select().from(handbookRevisions);
  expect(revisions.length).toBeGreaterThan(10);
  expect(revisions.filter((r) => markdownComplexityProblems(r.bodyMarkdown).length > 0).map((r) => r.id)).toEqual([]);
});

test('the limits name the line and the rule', () => {
  const marks = '[x '.repeat(MARKDOWN_LIMITS.delimitersPerBlock + 1);
  expect(markdownComplexityProblems(`Intro.\n\n${marks}`)).toEqual([
    expect.stringMatching(/^Line 3: this paragraph has more than 400 brackets/),
  ]);
  // Split by blank lines, the same marks are fine.
  expect(markdownComplexityProblems(`${'[x '.repeat(300)}\n\n${'[x '.repeat(300)}`)).toEqual([]);
  expect(markdownComplexityProblems(`${'> '.repeat(9)}deep`)[0]).toMatch(/^Line 1: quotes are nested 9 deep/);
  expect(markdownComplexityProblems(`${' '.repeat(40)}- deep`)[0]).toMatch(/^Line 1: it is indented 40 spaces/);
});

test('rendering runs in a worker with a time budget: over it, the text is refused and the next task runs', async () => {
  const long = 'Some **bold** text with a [link](/x) and `code`.\n\n'.repeat(4_000);
  await expect(renderMarkdownOffThread(long, 1)).rejects.toBeInstanceOf(MarkdownTooSlowError);
  const next = await renderMarkdownOffThread('A *short* text.');
  expect(next.html).toBe('<p>A <em>short</em> text.</p>');
});

test('previews are limited per educator; the next is refused with 429', async () => {
  const busy = (await callerFor(handle.db, await makeUser(handle.db, { roles: ['member', 'educator'] }))).caller;
  const tiny = `${head}\nA line.`;
  for (let i = 0; i < RATE_LIMITS.preview.limit; i++) await busy.handbook.preview({ ...CHAPTER, source: tiny });
  const refused = await trpcErrorOf(busy.handbook.preview({ ...CHAPTER, source: tiny }));
  expect(refused.code).toBe('TOO_MANY_REQUESTS');
});
