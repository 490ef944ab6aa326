/**
 * The PDF of a translation (issue 17, item 4): English text with the original's title and abstract in
 * their own script, so the embedded fonts must have CJK and Cyrillic glyphs. Noto Sans SC (SIL Open Font
 * Licence, the @fontsource/noto-sans-sc package) ships in script subsets: Latin, Latin Extended, Cyrillic
 * and Simplified Chinese. Each character is drawn with the first subset that has its glyph, and pdf-lib
 * embeds only the glyphs used (subset: true), so the text layer holds the real characters (a test reads
 * it back). Made once, at publication, and stored as the article's PDF: no request lays it out.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { inflateSync } from 'node:zlib';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, type PDFFont, type PDFPage, rgb } from 'pdf-lib';
import { formatLongDate } from '#src/lib/dates.ts';
import { markdownToPlainText } from '../markdown.ts';
import { type ArticleView, JOURNAL_TITLE, languageName } from './journal-articles.ts';

/** Script subsets in the order a character is looked up (Latin first: most text is English). */
const SUBSETS = ['latin', 'latin-ext', 'cyrillic', 'chinese-simplified'] as const;

interface FontFile {
  bytes: Uint8Array;
  /** Whether the subset has a glyph for a code point (read with fontkit, once per process). */
  has(codePoint: number): boolean;
  /** Advance width of a code point's glyph in em (no shaping: these scripts need none for widths). */
  advance(codePoint: number): number;
}

let fontFiles: FontFile[] | null = null;

/**
 * A WOFF 1.0 file unpacked to the SFNT (TrueType/OpenType) it wraps, with Node's native zlib: fontkit
 * would inflate every table in JavaScript each time a font is opened (9 of 10 s of a PDF went there).
 * Layout from the W3C WOFF 1.0 recommendation (https://www.w3.org/TR/WOFF/): a 44-byte header (flavor at
 * 4, numTables at 12), then 20-byte table entries (tag, offset, compLength, origLength, origChecksum); a
 * table is zlib-compressed when compLength < origLength. The SFNT is the OpenType offset table
 * (searchRange, entrySelector, rangeShift as the OpenType spec defines them), 16-byte table records and
 * each table padded to 4 bytes.
 */
export function woffToSfnt(woff: Uint8Array): Uint8Array {
  const src = Buffer.from(woff.buffer, woff.byteOffset, woff.byteLength);
  if (src.toString('latin1', 0, 4) !== 'wOFF') throw new Error('not a WOFF 1.0 file');
  const numTables = src.readUInt16BE(12);
  const tables = Array.from({ length: numTables }, (_, i) => {
    const at = 44 + i * 20;
    const offset = src.readUInt32BE(at + 4);
    const compLength = src.readUInt32BE(at + 8);
    const origLength = src.readUInt32BE(at + 12);
    const raw = src.subarray(offset, offset + compLength);
    return {
      tag: src.subarray(at, at + 4),
      checksum: src.readUInt32BE(at + 16),
      data: compLength < origLength ? inflateSync(raw) : raw,
    };
  });
  const entrySelector = Math.floor(Math.log2(numTables));
  const searchRange = 2 ** entrySelector * 16;
  const padded = (n: number) => (n + 3) & ~3;
  let offset = 12 + numTables * 16;
  const out = Buffer.alloc(offset + tables.reduce((sum, t) => sum + padded(t.data.length), 0));
  out.writeUInt32BE(src.readUInt32BE(4), 0);
  out.writeUInt16BE(numTables, 4);
  out.writeUInt16BE(searchRange, 6);
  out.writeUInt16BE(entrySelector, 8);
  out.writeUInt16BE(numTables * 16 - searchRange, 10);
  tables.forEach((table, i) => {
    const record = 12 + i * 16;
    table.tag.copy(out, record);
    out.writeUInt32BE(table.checksum, record + 4);
    out.writeUInt32BE(offset, record + 8);
    out.writeUInt32BE(table.data.length, record + 12);
    table.data.copy(out, offset);
    offset += padded(table.data.length);
  });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

function loadFontFiles(): FontFile[] {
  if (fontFiles) return fontFiles;
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve('@fontsource/noto-sans-sc/package.json')), 'files');
  fontFiles = SUBSETS.map((subset) => {
    const bytes = woffToSfnt(new Uint8Array(readFileSync(join(dir, `noto-sans-sc-${subset}-400-normal.woff`))));
    const font = fontkit.create(bytes);
    const widths = new Map<number, number>();
    return {
      bytes,
      has: (codePoint: number) => font.hasGlyphForCodePoint(codePoint),
      advance(codePoint: number) {
        let width = widths.get(codePoint);
        if (width === undefined) {
          width = font.glyphForCodePoint(codePoint).advanceWidth / font.unitsPerEm;
          widths.set(codePoint, width);
        }
        return width;
      },
    };
  });
  return fontFiles;
}

interface Run {
  text: string;
  font: PDFFont;
  /** Width in em. */
  em: number;
}

/** Lays out text in a fixed-width column, starting new pages as it fills them. */
class Writer {
  private page: PDFPage;
  private y: number;
  private readonly embedded = new Map<number, PDFFont>();
  private readonly doc: PDFDocument;
  private readonly files: FontFile[];
  constructor(doc: PDFDocument, files: FontFile[]) {
    this.doc = doc;
    this.files = files;
    this.page = doc.addPage([595.28, 841.89]);
    this.y = 841.89 - 64;
  }

  private async fontAt(index: number): Promise<PDFFont> {
    let font = this.embedded.get(index);
    if (!font) {
      font = await this.doc.embedFont(this.files[index]?.bytes ?? new Uint8Array(), { subset: true });
      this.embedded.set(index, font);
    }
    return font;
  }

  /** The text split into runs of one font each; a character no subset has becomes "?". */
  private async runs(text: string): Promise<Run[]> {
    const out: Run[] = [];
    for (const ch of text) {
      const cp = ch.codePointAt(0) ?? 63;
      let index = this.files.findIndex((f) => f.has(cp));
      let drawn = ch;
      if (index < 0) {
        index = 0;
        drawn = '?';
      }
      const font = await this.fontAt(index);
      const em = this.files[index]?.advance(drawn.codePointAt(0) ?? 63) ?? 0.5;
      const last = out.at(-1);
      if (last && last.font === font) {
        last.text += drawn;
        last.em += em;
      } else out.push({ text: drawn, font, em });
    }
    return out;
  }

  private width(runs: Run[], size: number): number {
    return runs.reduce((sum, r) => sum + r.em * size, 0);
  }

  /**
   * A paragraph wrapped to the column: words of alphabetic scripts stay whole, CJK characters break
   * anywhere (they are written without spaces). Each token is measured once.
   */
  async paragraph(text: string, size = 10.5, gapAfter = 6): Promise<void> {
    const maxWidth = 595.28 - 2 * 64;
    const tokens = text.match(/[\u3000-\u9fff\uff00-\uffef]|[^\s\u3000-\u9fff\uff00-\uffef]+|\s+/g) ?? [];
    const space = (await this.runs(' '))[0];
    const spaceWidth = space ? space.em * size : size / 4;
    let line: Run[] = [];
    let lineWidth = 0;
    let pendingSpace = false;
    const flush = () => {
      if (this.y < 64) {
        this.page = this.doc.addPage([595.28, 841.89]);
        this.y = 841.89 - 64;
      }
      let x = 64;
      for (const run of line) {
        this.page.drawText(run.text, { x, y: this.y, size, font: run.font, color: rgb(0.1, 0.1, 0.1) });
        x += run.em * size;
      }
      this.y -= size * 1.45;
      line = [];
      lineWidth = 0;
    };
    for (const token of tokens) {
      if (/^\s+$/.test(token)) {
        pendingSpace = line.length > 0;
        continue;
      }
      const runs = await this.runs(token);
      const width = this.width(runs, size);
      const gap = pendingSpace ? spaceWidth : 0;
      if (line.length > 0 && lineWidth + gap + width > maxWidth) flush();
      else if (pendingSpace && space) {
        line.push({ text: ' ', font: space.font, em: space.em });
        lineWidth += gap;
      }
      pendingSpace = false;
      line.push(...runs);
      lineWidth += width;
    }
    if (line.length > 0) flush();
    this.y -= gapAfter;
  }
}

/** The article's PDF, with the original's title and abstract in its script. */
export async function buildArticlePdf(article: ArticleView): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  doc.setTitle(article.title);
  doc.setLanguage(article.language);
  doc.setAuthor(article.authors.map((a) => `${a.givenNames} ${a.surname}`).join(', '));
  const w = new Writer(doc, loadFontFiles());
  await w.paragraph(`${JOURNAL_TITLE} · ${article.articleNumber} · https://doi.org/${article.doi}`, 9);
  await w.paragraph(article.title, 16, 10);
  await w.paragraph(article.authors.map((a) => `${a.givenNames} ${a.surname}`).join(', '), 11);
  const original = article.original;
  if (original) {
    const translators = article.translators.map((t) => `${t.givenNames} ${t.surname}`).join(', ');
    await w.paragraph(
      `Translated from ${languageName(original.titleLanguage)}${translators ? ` by ${translators}` : ''}; original: ${original.citation}`,
      9.5,
    );
    await w.paragraph(`Original title: ${original.title}`, 10.5);
    if (original.abstract) await w.paragraph(`Original abstract: ${original.abstract.replace(/\n/g, ' ')}`, 9.5);
    if (original.rights) await w.paragraph(`Rights: ${original.rights}`, 9);
  }
  await w.paragraph(
    `Competing interests: ${article.competingInterests} Ties to device manufacturers: ${article.deviceManufacturerTies} Funding: ${article.funding}`,
    9.5,
  );
  await w.paragraph(`Published ${formatLongDate(article.publishedAt)}.`, 9.5, 12);
  await w.paragraph('Abstract', 12);
  for (const [label, text] of Object.entries(article.abstract)) {
    if (text) await w.paragraph(`${label[0]?.toUpperCase()}${label.slice(1)}. ${text}`);
  }
  if (article.bodyMarkdown) {
    for (const block of markdownToPlainText(article.bodyMarkdown).split(/\n+/)) {
      if (block.trim()) await w.paragraph(block);
    }
  }
  if (article.references.length > 0) {
    await w.paragraph('References', 12);
    for (const [i, ref] of article.references.entries()) await w.paragraph(`${i + 1}. ${ref}`, 9.5, 3);
  }
  return doc.save();
}
