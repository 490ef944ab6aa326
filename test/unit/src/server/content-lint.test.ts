/**
 * Lint of the shipped handbook, modules and public pages (issue 18): every listed reference is cited and
 * every citation resolves; the working-pressure range is stated once; no internal link is broken.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { findBrokenLinks, headingIds } from '#src/server/markdown.ts';
import { splitSource } from '#src/server/services/handbook-content.ts';
import { DEFAULT_CONTENT_DIR, readShippedDocuments } from '#src/server/services/handbook-import.ts';

const PAGES_DIR = join(DEFAULT_CONTENT_DIR, 'pages');
const pages = readdirSync(PAGES_DIR)
  .filter((f) => f.endsWith('.md'))
  .map((f) => {
    const split = splitSource(readFileSync(join(PAGES_DIR, f), 'utf8'));
    if (!split.ok) throw new Error(`${f}: ${split.message}`);
    return { name: `pages/${f}`, slug: f.replace(/\.md$/, ''), body: split.value.body };
  });
const shipped = readShippedDocuments();
const chapters = shipped.filter((d) => d.kind === 'chapter');
const texts = [
  ...shipped.map((d) => ({ name: `${d.kind}:${d.slug}`, body: d.body, frontMatter: JSON.stringify(d.frontMatter) })),
  ...pages.map((p) => ({ name: p.name, body: p.body, frontMatter: '' })),
];

/** The numbered list under "## Sources" and the text above it. */
function sourcesOf(body: string): { text: string; listed: number[] } | null {
  const at = body.search(/^## Sources\s*$/m);
  if (at < 0) return null;
  const listed = [...body.slice(at).matchAll(/^(\d+)\.\s/gm)].map((m) => Number(m[1]));
  return { text: body.slice(0, at), listed };
}

/** Numbers cited as [1], [2, 5] or [3-6] (a range cites every number in it). */
function citedIn(text: string): Set<number> {
  const cited = new Set<number>();
  for (const m of text.matchAll(/\[(\d+(?:\s*[-–,]\s*\d+)*)\](?!\()/g)) {
    for (const part of (m[1] ?? '').split(',')) {
      const [from, to] = part.split(/[-–]/).map((n) => Number(n.trim()));
      if (from === undefined) continue;
      for (let n = from; n <= (to ?? from); n++) cited.add(n);
    }
  }
  return cited;
}

test('the lint sees every chapter and page, with sources', () => {
  expect(chapters.length).toBeGreaterThanOrEqual(9);
  expect(pages.length).toBeGreaterThanOrEqual(4);
  expect(chapters.every((c) => sourcesOf(c.body) !== null)).toBe(true);
});

test('every listed reference is cited in the text, and every citation resolves to the list', () => {
  const problems: string[] = [];
  for (const doc of texts) {
    const sources = sourcesOf(doc.body);
    if (!sources) continue;
    const cited = citedIn(sources.text);
    const listed = new Set(sources.listed);
    expect(sources.listed, `${doc.name}: the list is numbered 1..n in order`).toEqual(
      sources.listed.map((_, i) => i + 1),
    );
    for (const n of listed) if (!cited.has(n)) problems.push(`${doc.name}: reference ${n} is never cited`);
    for (const n of cited) if (!listed.has(n)) problems.push(`${doc.name}: [${n}] has no entry in the list`);
  }
  expect(problems).toEqual([]);
});

test('the working-pressure range is stated once, in the equipment chapter, and referred to elsewhere', () => {
  // "from 262 to 300 mmHg" is a titration step, not a working range.
  const range = /(?<!from )\b(\d{3})\s*(?:to|and|-|–)\s*(\d{3})\s*mmHg/g;
  const statements: string[] = [];
  for (const doc of texts) {
    for (const m of `${doc.body}\n${doc.frontMatter}`.replaceAll('**', '').matchAll(range)) {
      statements.push(`${doc.name}: ${m[1]}-${m[2]}`);
    }
  }
  expect(statements).toEqual(['chapter:the-equipment: 220-300']);
});

/** Parsing every document takes about a second alone, several on a machine shared with other test runs. */
const LINK_LINT_MS = 30_000;

test(
  'no internal link is broken (handbook chapters and their headings, site pages)',
  () => {
    const anchors = new Map(chapters.map((c) => [c.slug, headingIds(c.body)]));
    const pageSlugs = new Set(pages.map((p) => p.slug));
    const problems: string[] = [];
    for (const doc of texts) {
      const own = doc.name.startsWith('chapter:') ? doc.name.slice('chapter:'.length) : null;
      for (const b of findBrokenLinks(doc.body, anchors, own))
        problems.push(`${doc.name}:${b.line} ${b.url} ${b.reason}`);
      for (const m of doc.body.matchAll(/\]\((\/[^)#\s]*)/g)) {
        const path = m[1] ?? '';
        if (path.startsWith('/handbook/')) continue;
        const first = path.split('/')[1] ?? '';
        const route =
          pageSlugs.has(first) ||
          existsSync(join('src/pages', `${path}.astro`)) ||
          existsSync(join('src/pages', path, 'index.astro')) ||
          existsSync(join('src/pages', first));
        if (!route) problems.push(`${doc.name}: ${path} is no page of the site`);
      }
    }
    for (const mod of shipped.filter((d) => d.kind === 'module')) {
      const reading = (mod.frontMatter.reading ?? []) as { chapter: string; section?: string }[];
      for (const r of reading) {
        const a = anchors.get(r.chapter);
        if (!a || (r.section && !a.has(r.section)))
          problems.push(`${mod.slug}: reading ${r.chapter}#${r.section ?? ''}`);
      }
      // Where a quiz question sends a member who got it wrong.
      const quiz = (mod.frontMatter.quiz ?? []) as { id: string; read?: { chapter: string; section?: string } }[];
      for (const q of quiz) {
        if (!q.read) continue;
        const a = anchors.get(q.read.chapter);
        if (!a || (q.read.section && !a.has(q.read.section)))
          problems.push(`${mod.slug} ${q.id}: read ${q.read.chapter}#${q.read.section ?? ''}`);
      }
    }
    expect(problems).toEqual([]);
  },
  LINK_LINT_MS,
);
