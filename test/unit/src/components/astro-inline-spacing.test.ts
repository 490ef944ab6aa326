import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';

/**
 * Astro's compiler drops a line break (and the indentation after it) between text and an inline element, so
 *   "take the form⏎  <code>…" is shown as "take the form…" with no space. Such a break needs {' '} before it.
 */
const INLINE_TAG = /^<(a|abbr|b|code|em|i|kbd|span|strong|time)\b/;
const ENDS_IN_TEXT = /[\p{L}\p{N},.:;!?)]$/u;
const ENDS_IN_INLINE_CLOSE = /<\/(a|abbr|b|code|em|i|kbd|span|strong|time)>$/;
const STARTS_WITH_TEXT = /^[\p{L}\p{N}(]/u;
const NOT_TEXT = /^(<|\/\/|\*|\/\*|}|\))/;
/** A line that starts with a value shown inline: `{a.count}` or a template string, not a block like `{x && (`. */
const INLINE_VALUE = /^\{([\w.?]+|`(?! )[^`]*`)\}/;

function astroFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return astroFiles(path);
    return entry.name.endsWith('.astro') ? [path] : [];
  });
}

/** The lines (1-based) whose break to the next line Astro would swallow. */
function swallowedBreaks(source: string): number[] {
  const lines = source.split('\n').map((line) => line.trim());
  const found: number[] = [];
  // The template only: after the front matter's closing fence, outside <style> and <script> blocks.
  const fences = lines.flatMap((line, i) => (line === '---' ? [i] : []));
  const templateStart = fences.length >= 2 ? (fences[1] ?? 0) + 1 : 0;
  let inBlock = false;
  for (let i = templateStart; i < lines.length - 1; i++) {
    if (/^<(style|script)\b/.test(lines[i] ?? '')) inBlock = true;
    if (/^<\/(style|script)>/.test(lines[i] ?? '')) inBlock = false;
    if (inBlock) continue;
    const [here = '', next = ''] = [lines[i], lines[i + 1]];
    const textThenTag =
      !NOT_TEXT.test(here) && ENDS_IN_TEXT.test(here) && (INLINE_TAG.test(next) || INLINE_VALUE.test(next));
    const tagThenText = ENDS_IN_INLINE_CLOSE.test(here) && STARTS_WITH_TEXT.test(next);
    if (textThenTag || tagThenText) found.push(i + 1);
  }
  return found;
}

test('the check finds a swallowed break and accepts an explicit space', () => {
  expect(swallowedBreaks('<p>\n  Links take the form\n  <code>/x</code>; then\n</p>')).toEqual([2]);
  expect(swallowedBreaks('<p>\n  <a href="/">Home</a>\n  and more\n</p>')).toEqual([2]);
  expect(swallowedBreaks("<p>\n  Links take the form{' '}\n  <code>/x</code>\n</p>")).toEqual([]);
  expect(swallowedBreaks('<p>\n  {n} found. Page {p}.\n  <a href="/x.csv">Download</a>\n</p>')).toEqual([2]);
  // A value at the start of the next line loses the space too ("no closing date.3 attempts allowed").
  expect(swallowedBreaks('<p>\n  No closing date.\n  {n} attempts allowed.\n</p>')).toEqual([2]);
  expect(swallowedBreaks('<p>\n  No closing date.\n  {items.length > 0 && (\n</p>')).toEqual([]);
  // Front matter and style blocks are code, not text.
  expect(
    swallowedBreaks('---\nconst a = 1;\n<span>\n---\n<p>x</p>\n<style>\n  a { b: c; }\n  <span>\n</style>'),
  ).toEqual([]);
});

test('no page or component loses the space between its text and an inline element at a line break', () => {
  const offenders = astroFiles('src').flatMap((file) =>
    swallowedBreaks(readFileSync(file, 'utf8')).map((line) => `${file}:${line}`),
  );
  expect(offenders).toEqual([]);
});
