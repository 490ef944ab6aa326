/**
 * The layout of the handbook's PDF documents (handbook-pdf.ts reads what they show from the database).
 * Laid out with pdf-lib's standard fonts, so no font files ship; characters those fonts cannot encode
 * (WinAnsi) are replaced with close equivalents. Imports only npm packages and pure modules: the edition is
 * laid out in the Markdown worker (markdown-worker.ts), off the request thread.
 */

import { PDFDocument, type PDFFont, type PDFPage, rgb, StandardFonts } from 'pdf-lib';
import QRCode from 'qrcode';
import { formatLongDate } from '#src/lib/dates.ts';
import { nodeText, parseMarkdown } from '../markdown.ts';

/** A4 in PostScript points (ISO 216: 210 × 297 mm at 72 points per inch). */
const PAGE_WIDTH_PT = 595.28;
const PAGE_HEIGHT_PT = 841.89;
const MARGIN_PT = 56;
const BODY_SIZE_PT = 10.5;
const LINE_FACTOR = 1.4;

/** Replacements for characters outside WinAnsi that the handbook uses (units, comparisons, arrows). */
const REPLACEMENTS: Record<string, string> = {
  '≥': '>=',
  '≤': '<=',
  '≈': '~',
  '→': '->',
  '←': '<-',
  '↑': 'up',
  '↓': 'down',
  '−': '-',
  '×': 'x',
  μ: 'u',
  Δ: 'delta ',
  '′': "'",
  '\u2009': ' ',
  '\u202f': ' ',
  '\u00a0': ' ',
};

/** The text with every character the font cannot draw replaced (or turned into "?"). */
function encodable(font: PDFFont, text: string, cache: Map<string, string>): string {
  let out = '';
  for (const ch of text) {
    let safe = cache.get(ch);
    if (safe === undefined) {
      const candidate = REPLACEMENTS[ch] ?? ch;
      try {
        font.encodeText(candidate);
        safe = candidate;
      } catch {
        safe = '?';
      }
      cache.set(ch, safe);
    }
    out += safe;
  }
  return out;
}

export class Writer {
  readonly doc: PDFDocument;
  readonly fonts: { regular: PDFFont; bold: PDFFont; italic: PDFFont; mono: PDFFont };
  private page: PDFPage | null = null;
  private y = 0;
  private readonly cache = new Map<PDFFont, Map<string, string>>();

  constructor(doc: PDFDocument, fonts: Writer['fonts']) {
    this.doc = doc;
    this.fonts = fonts;
  }

  static async create(title: string): Promise<Writer> {
    const doc = await PDFDocument.create();
    doc.setTitle(title);
    doc.setAuthor('International External Counterpulsation Association (IECPA)');
    doc.setCreator('IECPA portal');
    return new Writer(doc, {
      regular: await doc.embedFont(StandardFonts.Helvetica),
      bold: await doc.embedFont(StandardFonts.HelveticaBold),
      italic: await doc.embedFont(StandardFonts.HelveticaOblique),
      mono: await doc.embedFont(StandardFonts.Courier),
    });
  }

  newPage(): void {
    this.page = this.doc.addPage([PAGE_WIDTH_PT, PAGE_HEIGHT_PT]);
    this.y = PAGE_HEIGHT_PT - MARGIN_PT;
  }

  safe(font: PDFFont, text: string): string {
    let cache = this.cache.get(font);
    if (!cache) {
      cache = new Map();
      this.cache.set(font, cache);
    }
    return encodable(font, text, cache);
  }

  /** Writes wrapped text; `indent` shifts the block, `gapAfter` adds space below it. */
  paragraph(text: string, options: { font?: PDFFont; size?: number; indent?: number; gapAfter?: number } = {}): void {
    const font = options.font ?? this.fonts.regular;
    const size = options.size ?? BODY_SIZE_PT;
    const indent = options.indent ?? 0;
    const width = PAGE_WIDTH_PT - 2 * MARGIN_PT - indent;
    const lineHeight = size * LINE_FACTOR;
    for (const line of this.wrap(font, this.safe(font, text.replace(/\s+/g, ' ').trim()), size, width)) {
      if (!this.page || this.y - lineHeight < MARGIN_PT) this.newPage();
      this.y -= lineHeight;
      this.page?.drawText(line, { x: MARGIN_PT + indent, y: this.y, size, font, color: rgb(0, 0, 0) });
    }
    this.y -= options.gapAfter ?? size * 0.6;
  }

  private wrap(font: PDFFont, text: string, size: number, width: number): string[] {
    const lines: string[] = [];
    let line = '';
    for (const word of text.split(' ')) {
      const candidate = line ? `${line} ${word}` : word;
      if (font.widthOfTextAtSize(candidate, size) <= width || !line) line = candidate;
      else {
        lines.push(line);
        line = word;
      }
    }
    if (line) lines.push(line);
    return lines;
  }

  /**
   * A QR code of `text` at the left margin, `sizePt` wide, drawn as filled squares (vector, so it prints
   * sharp at any scale), with the quiet zone of four modules the standard asks for (ISO/IEC 18004, 9.1).
   */
  qrCode(text: string, sizePt: number, options: { gapAfter?: number } = {}): void {
    const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
    const quiet = 4;
    const cell = sizePt / (modules.size + 2 * quiet);
    if (!this.page || this.y - sizePt < MARGIN_PT) this.newPage();
    const page = this.page;
    if (!page) return;
    const top = this.y;
    for (let row = 0; row < modules.size; row++) {
      for (let col = 0; col < modules.size; col++) {
        if (!modules.get(row, col)) continue;
        page.drawRectangle({
          x: MARGIN_PT + (col + quiet) * cell,
          y: top - (row + quiet + 1) * cell,
          width: cell,
          height: cell,
          color: rgb(0, 0, 0),
        });
      }
    }
    this.y -= sizePt + (options.gapAfter ?? 0);
  }

  /** Page numbers in the footer of every page. */
  numberPages(label: string): void {
    const pages = this.doc.getPages();
    pages.forEach((page, i) => {
      const text = this.safe(this.fonts.regular, `${label} · page ${i + 1} of ${pages.length}`);
      page.drawText(text, {
        x: MARGIN_PT,
        y: MARGIN_PT / 2,
        size: 8,
        font: this.fonts.regular,
        color: rgb(0.3, 0.3, 0.3),
      });
    });
  }
}

interface MdNode {
  type: string;
  depth?: number;
  ordered?: boolean;
  value?: string;
  children?: MdNode[];
}

export function writeBlocks(w: Writer, nodes: MdNode[], indent = 0): void {
  for (const node of nodes) {
    switch (node.type) {
      case 'heading': {
        const size = node.depth === 2 ? 14 : node.depth === 3 ? 12 : 11;
        w.paragraph(nodeText(node as never), { font: w.fonts.bold, size, indent, gapAfter: 4 });
        break;
      }
      case 'list':
        (node.children ?? []).forEach((item, i) => {
          const marker = node.ordered ? `${i + 1}.` : '•';
          const [first, ...rest] = item.children ?? [];
          w.paragraph(`${marker} ${first ? nodeText(first as never) : ''}`, { indent: indent + 12, gapAfter: 2 });
          writeBlocks(w, rest, indent + 24);
        });
        break;
      case 'table':
        for (const row of node.children ?? []) {
          w.paragraph((row.children ?? []).map((cell) => nodeText(cell as never)).join('  |  '), {
            indent,
            size: 9,
            gapAfter: 2,
          });
        }
        break;
      case 'code':
        for (const line of (node.value ?? '').split('\n'))
          w.paragraph(line, { font: w.fonts.mono, size: 9, indent, gapAfter: 0 });
        break;
      case 'blockquote':
        writeBlocks(w, node.children ?? [], indent + 18);
        break;
      case 'thematicBreak':
        break;
      default:
        w.paragraph(nodeText(node as never), { indent });
    }
  }
}

/** What the edition shows of one published chapter. */
export interface EditionChapter {
  part: string;
  title: string;
  summary: string;
  revision: number;
  publishedAt: number;
  body: string;
}

/** The whole published handbook: a title page with contents, then every chapter on its own pages. */
export async function editionPdf(chapters: readonly EditionChapter[], now: number): Promise<Uint8Array<ArrayBuffer>> {
  const w = await Writer.create('IECPA Handbook of External Counterpulsation');
  w.newPage();
  w.paragraph('International External Counterpulsation Association', { font: w.fonts.bold, size: 12 });
  w.paragraph('Handbook of External Counterpulsation', { font: w.fonts.bold, size: 24, gapAfter: 12 });
  w.paragraph(`Edition of ${formatLongDate(now)}: the published revision of each chapter on that day.`, {
    font: w.fonts.italic,
  });
  w.paragraph('Contents', { font: w.fonts.bold, size: 14, gapAfter: 6 });
  let part = '';
  for (const c of chapters) {
    if (c.part !== part) {
      part = c.part;
      w.paragraph(part, { font: w.fonts.bold, gapAfter: 2 });
    }
    w.paragraph(`${c.title} (revision ${c.revision}, ${formatLongDate(c.publishedAt)})`, { indent: 12, gapAfter: 2 });
  }
  for (const c of chapters) {
    w.newPage();
    w.paragraph(c.part, { font: w.fonts.italic, size: 9 });
    w.paragraph(c.title, { font: w.fonts.bold, size: 18, gapAfter: 6 });
    w.paragraph(`Revision ${c.revision}, updated on ${formatLongDate(c.publishedAt)}`, { size: 9, gapAfter: 6 });
    w.paragraph(c.summary, { font: w.fonts.italic, gapAfter: 10 });
    writeBlocks(w, (parseMarkdown(c.body).children ?? []) as MdNode[]);
  }
  w.numberPages('IECPA Handbook');
  // A copy backed by a plain ArrayBuffer, which is what a Response body takes.
  return new Uint8Array(await w.doc.save());
}
