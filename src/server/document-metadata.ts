/**
 * Removes what identifies the person who last saved a PDF or Word file, for the journal's double-anonymous
 * review (a reviewer's annotated manuscript reaches the authors only through this). What is removed:
 *
 * - PDF (ISO 32000-1): the document information dictionary named by the trailer's /Info (§14.3.3: Author,
 *   Creator, Producer, Title, Subject, Keywords, dates), every XMP metadata stream (/Metadata, §14.3.2) and
 *   the reference to it, and each annotation's /T entry ("the label … the author of the annotation",
 *   §12.5.2, Table 164), which PDF editors fill with the reviewer's user name. The file is written anew
 *   (no incremental update), so earlier revisions with the old values do not survive.
 * - DOCX (ECMA-376 / ISO/IEC 29500): the core properties dc:creator and cp:lastModifiedBy (Part 2 §11,
 *   docProps/core.xml), the extended properties Company, Manager and Template (a template path can carry a
 *   user name; docProps/app.xml), every custom property's value (docProps/custom.xml), and the w:author /
 *   w:initials of comments and tracked changes (Part 1 §17.13) in every WordprocessingML part, with the
 *   w15:person entries of word/people.xml (author, provider and user id, often an email address).
 *
 * A file that cannot be read (an encrypted PDF, a damaged or oversized ZIP) is refused rather than passed on.
 * What a reviewer typed into the text itself is theirs to keep anonymous.
 */
import { unzipSync, zipSync } from 'fflate';
import { PDFDict, PDFDocument, PDFName, PDFRawStream, PDFRef, PDFStream } from 'pdf-lib';

export type CleanableType = 'pdf' | 'docx';

export type CleanOutcome = { ok: true; bytes: Uint8Array } | { ok: false; message: string };

/** The name every anonymised comment and change carries instead of the reviewer's. */
export const ANONYMOUS_AUTHOR = 'Reviewer';

/** Largest total size of a Word file's parts once unpacked (a ZIP bomb stops here). */
export const MAX_UNPACKED_BYTES = 64 * 1024 * 1024;

export async function stripIdentifyingMetadata(bytes: Uint8Array, type: CleanableType): Promise<CleanOutcome> {
  return type === 'pdf' ? cleanPdf(bytes) : cleanDocx(bytes);
}

const CANNOT_READ_PDF =
  'This PDF cannot be read to remove its author details (it may be encrypted or damaged). Save it again without a password and upload that copy.';

async function cleanPdf(bytes: Uint8Array): Promise<CleanOutcome> {
  try {
    const doc = await PDFDocument.load(bytes, { updateMetadata: false, throwOnInvalidObject: true });
    if (doc.getPageCount() === 0) return { ok: false, message: CANNOT_READ_PDF };
    const { context } = doc;
    const info = context.trailerInfo.Info;
    if (info instanceof PDFRef) context.delete(info);
    context.trailerInfo.Info = undefined;
    const metadataKey = PDFName.of('Metadata');
    const authorKey = PDFName.of('T');
    const annotType = PDFName.of('Annot');
    for (const [ref, object] of context.enumerateIndirectObjects()) {
      const dict = object instanceof PDFDict ? object : object instanceof PDFStream ? object.dict : null;
      if (!dict) continue;
      if (dict.get(PDFName.Type) === metadataKey) {
        context.delete(ref);
        continue;
      }
      dict.delete(metadataKey);
      // An annotation (Type /Annot, or a Subtype without the /FT of a form field) loses its author label.
      const isAnnotation =
        dict.get(PDFName.Type) === annotType || (dict.has(PDFName.of('Subtype')) && !dict.has(PDFName.of('FT')));
      if (isAnnotation && !(object instanceof PDFRawStream)) dict.delete(authorKey);
    }
    doc.catalog.delete(metadataKey);
    return { ok: true, bytes: await doc.save({ useObjectStreams: false, updateFieldAppearances: false }) };
  } catch {
    return { ok: false, message: CANNOT_READ_PDF };
  }
}

const CANNOT_READ_DOCX =
  'This Word file cannot be read to remove its author details (it may be damaged). Save it again and upload that copy.';

/** The text content of these elements is emptied. */
const CORE_ELEMENTS = ['dc:creator', 'cp:lastModifiedBy'];
const APP_ELEMENTS = ['Company', 'Manager', 'Template'];

function emptyElements(xml: string, names: string[]): string {
  let out = xml;
  for (const name of names) {
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    out = out.replace(new RegExp(`<${escaped}(\\s[^>]*)?>[\\s\\S]*?</${escaped}>`, 'g'), `<${name}$1></${name}>`);
  }
  return out;
}

function replaceAttribute(xml: string, attribute: string, value: string): string {
  const escaped = attribute.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return xml.replace(new RegExp(`(\\s${escaped}=)("[^"]*"|'[^']*')`, 'g'), `$1"${value}"`);
}

function cleanDocx(bytes: Uint8Array): CleanOutcome {
  let unpacked = 0;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (file) => {
        unpacked += file.originalSize;
        if (unpacked > MAX_UNPACKED_BYTES) throw new Error('too large unpacked');
        return true;
      },
    });
  } catch {
    return { ok: false, message: CANNOT_READ_DOCX };
  }
  if (!files['word/document.xml']) return { ok: false, message: CANNOT_READ_DOCX };
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const encoder = new TextEncoder();
  const edit = (name: string, change: (xml: string) => string) => {
    const part = files[name];
    if (part) files[name] = encoder.encode(change(decoder.decode(part)));
  };
  edit('docProps/core.xml', (xml) => emptyElements(xml, CORE_ELEMENTS));
  edit('docProps/app.xml', (xml) => emptyElements(xml, APP_ELEMENTS));
  edit('docProps/custom.xml', (xml) => xml.replace(/(<vt:[A-Za-z0-9]+>)[\s\S]*?(<\/vt:[A-Za-z0-9]+>)/g, '$1$2'));
  for (const name of Object.keys(files)) {
    if (!/^word\/[^/]+\.xml$/.test(name)) continue;
    edit(name, (xml) => {
      let out = replaceAttribute(xml, 'w:author', ANONYMOUS_AUTHOR);
      out = replaceAttribute(out, 'w:initials', 'R');
      out = replaceAttribute(out, 'w15:author', ANONYMOUS_AUTHOR);
      out = replaceAttribute(out, 'w15:userId', '');
      return replaceAttribute(out, 'w15:providerId', 'None');
    });
  }
  try {
    return { ok: true, bytes: zipSync(files, { level: 6 }) };
  } catch {
    return { ok: false, message: CANNOT_READ_DOCX };
  }
}
