/**
 * A line diff of two revisions for the side-by-side history view: the longest common subsequence of lines
 * (the classic dynamic programme; Hunt and McIlroy, "An algorithm for differential file comparison",
 * Bell Labs CSTR 41, 1976), walked back into rows of left/right cells.
 */

export type DiffRowKind = 'same' | 'changed' | 'removed' | 'added';

export interface DiffRow {
  kind: DiffRowKind;
  /** 1-based line number in the old text, null when the row has no old line. */
  oldLine: number | null;
  oldText: string | null;
  newLine: number | null;
  newText: string | null;
}

/** Above this many cells the table would be too large; the texts are compared as changed blocks instead. */
const MAX_LCS_CELLS = 4_000_000;

type Op = { op: 'same'; a: number; b: number } | { op: 'del'; a: number } | { op: 'ins'; b: number };

function lcsOps(a: string[], b: string[]): Op[] {
  // Common prefix and suffix cost nothing and shrink the table for typical small edits.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const n = endA - start;
  const m = endB - start;
  const ops: Op[] = [];
  for (let i = 0; i < start; i++) ops.push({ op: 'same', a: i, b: i });
  if (n * m > MAX_LCS_CELLS) {
    for (let i = 0; i < n; i++) ops.push({ op: 'del', a: start + i });
    for (let j = 0; j < m; j++) ops.push({ op: 'ins', b: start + j });
  } else {
    // lengths[i][j] = LCS length of a[start+i..endA) and b[start+j..endB), stored row-major.
    const width = m + 1;
    const lengths = new Uint32Array((n + 1) * width);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lengths[i * width + j] =
          a[start + i] === b[start + j]
            ? (lengths[(i + 1) * width + j + 1] ?? 0) + 1
            : Math.max(lengths[(i + 1) * width + j] ?? 0, lengths[i * width + j + 1] ?? 0);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n && j < m) {
      if (a[start + i] === b[start + j]) {
        ops.push({ op: 'same', a: start + i, b: start + j });
        i++;
        j++;
      } else if ((lengths[(i + 1) * width + j] ?? 0) >= (lengths[i * width + j + 1] ?? 0)) {
        ops.push({ op: 'del', a: start + i });
        i++;
      } else {
        ops.push({ op: 'ins', b: start + j });
        j++;
      }
    }
    for (; i < n; i++) ops.push({ op: 'del', a: start + i });
    for (; j < m; j++) ops.push({ op: 'ins', b: start + j });
  }
  for (let k = 0; k < a.length - endA; k++) ops.push({ op: 'same', a: endA + k, b: endB + k });
  return ops;
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  return text.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n');
}

/**
 * Side-by-side rows: unchanged lines pair up; within a run of deletions and insertions, removed lines are
 * paired with added ones as "changed" rows and the surplus shows alone.
 */
export function lineDiff(oldText: string, newText: string): DiffRow[] {
  const a = splitLines(oldText);
  const b = splitLines(newText);
  const rows: DiffRow[] = [];
  let dels: number[] = [];
  let inss: number[] = [];
  const flush = (): void => {
    const pairs = Math.max(dels.length, inss.length);
    for (let k = 0; k < pairs; k++) {
      const d = dels[k];
      const n = inss[k];
      rows.push({
        kind: d !== undefined && n !== undefined ? 'changed' : d !== undefined ? 'removed' : 'added',
        oldLine: d === undefined ? null : d + 1,
        oldText: d === undefined ? null : (a[d] ?? ''),
        newLine: n === undefined ? null : n + 1,
        newText: n === undefined ? null : (b[n] ?? ''),
      });
    }
    dels = [];
    inss = [];
  };
  for (const op of lcsOps(a, b)) {
    if (op.op === 'del') dels.push(op.a);
    else if (op.op === 'ins') inss.push(op.b);
    else {
      flush();
      rows.push({ kind: 'same', oldLine: op.a + 1, oldText: a[op.a] ?? '', newLine: op.b + 1, newText: b[op.b] ?? '' });
    }
  }
  flush();
  return rows;
}

/** How many lines were added and removed (a changed row counts as one of each). */
export function diffStats(rows: DiffRow[]): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const row of rows) {
    if (row.kind === 'added' || row.kind === 'changed') added++;
    if (row.kind === 'removed' || row.kind === 'changed') removed++;
  }
  return { added, removed };
}

/** A run of words in a rendered diff: unchanged, or added or removed between the two revisions. */
export interface WordRun {
  kind: 'same' | 'added' | 'removed';
  text: string;
}

/** One block of the rendered text (a paragraph, heading, list item or table cell) with its word changes. */
export interface RenderedDiffBlock {
  kind: DiffRowKind;
  runs: WordRun[];
}

const BLOCK_END = /<\/(?:p|h[1-6]|li|blockquote|pre|figcaption|caption|th|td|dt|dd)>|<br\s*\/?>/gi;
const ENTITY: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITY[name.toLowerCase()] ?? whole;
  });
}

/**
 * The text a reader sees in rendered (sanitised) HTML, one line per block, whitespace collapsed. Scripts and
 * styles cannot occur (the sanitiser removed them), so dropping tags leaves the visible text.
 */
export function renderedTextBlocks(html: string): string[] {
  return decodeEntities(html.replace(BLOCK_END, '\n').replace(/<[^>]*>/g, ' '))
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter((line) => line !== '');
}

function pushRun(runs: WordRun[], kind: WordRun['kind'], word: string): void {
  const last = runs.at(-1);
  if (last && last.kind === kind) last.text += ` ${word}`;
  else runs.push({ kind, text: word });
}

/** The words of two versions of a block, as runs (the line diff run on one word per line). */
export function wordDiff(oldText: string, newText: string): WordRun[] {
  const words = (text: string) =>
    text
      .split(' ')
      .filter((w) => w !== '')
      .join('\n');
  const runs: WordRun[] = [];
  const removed: string[] = [];
  const added: string[] = [];
  const flush = () => {
    for (const w of removed.splice(0)) pushRun(runs, 'removed', w);
    for (const w of added.splice(0)) pushRun(runs, 'added', w);
  };
  for (const row of lineDiff(words(oldText), words(newText))) {
    if (row.kind === 'same') {
      flush();
      pushRun(runs, 'same', row.newText ?? '');
    } else {
      if (row.oldText !== null) removed.push(row.oldText);
      if (row.newText !== null) added.push(row.newText);
    }
  }
  flush();
  return runs;
}

/**
 * What changed for a reader between two rendered revisions: blocks paired by the line diff of their text,
 * and within a changed block the words removed and added, so a reader sees prose, not Markdown.
 */
export function renderedDiff(oldHtml: string, newHtml: string): RenderedDiffBlock[] {
  const rows = lineDiff(renderedTextBlocks(oldHtml).join('\n'), renderedTextBlocks(newHtml).join('\n'));
  return rows.map((row) => {
    if (row.kind === 'changed') return { kind: row.kind, runs: wordDiff(row.oldText ?? '', row.newText ?? '') };
    if (row.kind === 'removed') return { kind: row.kind, runs: [{ kind: 'removed', text: row.oldText ?? '' }] };
    if (row.kind === 'added') return { kind: row.kind, runs: [{ kind: 'added', text: row.newText ?? '' }] };
    return { kind: row.kind, runs: [{ kind: 'same', text: row.newText ?? '' }] };
  });
}

/** How many words a rendered diff adds and removes. */
export function wordStats(blocks: RenderedDiffBlock[]): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const block of blocks) {
    for (const run of block.runs) {
      const words = run.text.split(' ').length;
      if (run.kind === 'added') added += words;
      if (run.kind === 'removed') removed += words;
    }
  }
  return { added, removed };
}
