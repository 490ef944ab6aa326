/**
 * Reads the QR code printed on a PDF the portal made, the way a phone would: the page's filled squares are
 * rasterised into a bitmap and jsQR (an independent decoder) reads the bitmap. The portal draws QR codes as
 * vector squares (handbook-pdf-layout.ts qrCode: a translated, filled 4-point path per dark module), so
 * rendering those paths white-on-black is the page's QR as printed; text on the page is not drawn.
 */
import { inflateSync } from 'node:zlib';
import jsQR from 'jsqr';
import { PDFDocument, PDFName, PDFRawStream } from 'pdf-lib';

const SQUARE =
  /1 0 0 1 (-?[\d.]+) (-?[\d.]+) cm\n(?:1 0 0 1 0 0 cm\n)*0 0 m\n0 ([\d.]+) l\n([\d.]+) [\d.]+ l\n[\d.]+ 0 l\nh\nf\n/g;

/** Every filled square of every content stream of the PDF, in points. */
async function filledSquares(pdf: Uint8Array): Promise<{ x: number; y: number; w: number; h: number }[]> {
  const doc = await PDFDocument.load(pdf);
  const squares: { x: number; y: number; w: number; h: number }[] = [];
  for (const [, object] of doc.context.enumerateIndirectObjects()) {
    if (!(object instanceof PDFRawStream)) continue;
    const filter = object.dict.get(PDFName.of('Filter'));
    if (filter && filter !== PDFName.of('FlateDecode')) continue;
    const text = (filter ? inflateSync(object.contents) : Buffer.from(object.contents)).toString('latin1');
    for (const m of text.matchAll(SQUARE))
      squares.push({ x: Number(m[1]), y: Number(m[2]), h: Number(m[3]), w: Number(m[4]) });
  }
  return squares;
}

/** The text of the QR code on the PDF, or null when there is none that decodes. */
export async function decodePdfQr(pdf: Uint8Array, pixelsPerPoint = 4): Promise<string | null> {
  const squares = await filledSquares(pdf);
  if (squares.length === 0) return null;
  const cell = squares[0]?.w ?? 1;
  const margin = 4 * cell; // the quiet zone
  const minX = Math.min(...squares.map((s) => s.x)) - margin;
  const minY = Math.min(...squares.map((s) => s.y)) - margin;
  const maxX = Math.max(...squares.map((s) => s.x + s.w)) + margin;
  const maxY = Math.max(...squares.map((s) => s.y + s.h)) + margin;
  const width = Math.ceil((maxX - minX) * pixelsPerPoint);
  const height = Math.ceil((maxY - minY) * pixelsPerPoint);
  const rgba = new Uint8ClampedArray(width * height * 4).fill(255);
  for (const s of squares) {
    // PDF y grows upwards; the bitmap's rows grow downwards.
    const x0 = Math.round((s.x - minX) * pixelsPerPoint);
    const x1 = Math.round((s.x + s.w - minX) * pixelsPerPoint);
    const y0 = Math.round((maxY - (s.y + s.h)) * pixelsPerPoint);
    const y1 = Math.round((maxY - s.y) * pixelsPerPoint);
    for (let y = y0; y < y1; y++)
      for (let x = x0; x < x1; x++) {
        const i = (y * width + x) * 4;
        rgba[i] = 0;
        rgba[i + 1] = 0;
        rgba[i + 2] = 0;
      }
  }
  return jsQR(rgba, width, height)?.data ?? null;
}
