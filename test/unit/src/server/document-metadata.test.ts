import { unzipSync } from 'fflate';
import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { ANONYMOUS_AUTHOR, stripIdentifyingMetadata } from '#src/server/document-metadata.ts';
import { sniffFileType } from '#src/server/uploads.ts';
import { holdsText, identifiedDocx, identifiedPdf } from '#test/helpers/identified-documents.ts';

const NAME = 'Rolf Tamsberg';
const EMAIL = 'rolf.tamsberg@example.org';

describe('stripping identifying metadata for anonymous review', () => {
  it('removes the PDF information dictionary, XMP and annotation authors, and keeps the comments', async () => {
    const original = await identifiedPdf(NAME, EMAIL);
    expect(holdsText(original, NAME)).toBe(true);
    expect(holdsText(original, EMAIL)).toBe(true);
    const cleaned = await stripIdentifyingMetadata(original, 'pdf');
    if (!cleaned.ok) throw new Error(cleaned.message);
    for (const secret of [NAME, EMAIL, 'Tamsberg']) expect(holdsText(cleaned.bytes, secret), secret).toBe(false);
    expect(sniffFileType(cleaned.bytes)).toBe('pdf');
    const reread = await PDFDocument.load(cleaned.bytes, { updateMetadata: false });
    expect(reread.getAuthor()).toBeUndefined();
    expect(reread.getPageCount()).toBe(1);
    expect(holdsText(cleaned.bytes, 'The methods need a power calculation.')).toBe(true);
  });

  it('removes DOCX core, extended and people details and comment and change authors', async () => {
    const original = identifiedDocx(NAME, EMAIL);
    expect(holdsText(original, NAME)).toBe(true);
    const cleaned = await stripIdentifyingMetadata(original, 'docx');
    if (!cleaned.ok) throw new Error(cleaned.message);
    for (const secret of [NAME, EMAIL, 'Tamsberg', 'w:initials="RT"']) {
      expect(holdsText(cleaned.bytes, secret), secret).toBe(false);
    }
    expect(sniffFileType(cleaned.bytes)).toBe('docx');
    const parts = unzipSync(cleaned.bytes);
    const text = (name: string) => new TextDecoder().decode(parts[name]);
    expect(text('word/comments.xml')).toContain(`w:author="${ANONYMOUS_AUTHOR}"`);
    expect(text('word/comments.xml')).toContain('Clarify.');
    expect(text('docProps/core.xml')).toContain('<dc:creator></dc:creator>');
    expect(text('docProps/core.xml')).toContain('<dc:title>Review</dc:title>');
  });

  it('refuses files it cannot read rather than passing them on', async () => {
    const fakePdf = new TextEncoder().encode('%PDF-1.4\nnot really a PDF\n');
    const pdf = await stripIdentifyingMetadata(fakePdf, 'pdf');
    expect(pdf).toEqual({ ok: false, message: expect.stringMatching(/^This PDF cannot be read/) });
    const fakeDocx = new Uint8Array(64);
    fakeDocx.set([0x50, 0x4b, 0x03, 0x04]);
    fakeDocx.set(new TextEncoder().encode('word/document.xml'), 30);
    const docx = await stripIdentifyingMetadata(fakeDocx, 'docx');
    expect(docx).toEqual({ ok: false, message: expect.stringMatching(/^This Word file cannot be read/) });
  });
});
