/**
 * A PDF and a Word file that carry a person's name where editors put it: the PDF's information dictionary,
 * an XMP metadata stream and an annotation's author label; the DOCX's core and extended properties, a
 * comment's author and initials, a tracked change and word/people.xml. Built here, not copied, so the tests
 * know every place the name was put.
 */
import { unzipSync, zipSync } from 'fflate';
import { PDFDocument, PDFName, PDFString } from 'pdf-lib';

const encode = (text: string) => new TextEncoder().encode(text);

export async function identifiedPdf(name: string, email: string): Promise<Uint8Array<ArrayBuffer>> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([595, 842]);
  page.drawText('Annotated manuscript: see the comments.', { x: 50, y: 780, size: 12 });
  doc.setAuthor(name);
  doc.setCreator(`Acrobat (licensed to ${name})`);
  doc.setProducer(`${email} PDF printer`);
  doc.setTitle('Review');
  doc.setSubject(`Comments by ${name}`);
  doc.setKeywords([name, email]);
  const xmp = `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator><rdf:Seq><rdf:li>${name}</rdf:li></rdf:Seq></dc:creator></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`;
  const metadata = doc.context.stream(encode(xmp), { Type: 'Metadata', Subtype: 'XML' });
  doc.catalog.set(PDFName.of('Metadata'), doc.context.register(metadata));
  const annotation = doc.context.obj({
    Type: 'Annot',
    Subtype: 'Text',
    Rect: [100, 700, 120, 720],
    Contents: PDFString.of('The methods need a power calculation.'),
    T: PDFString.of(name),
  });
  page.node.set(PDFName.of('Annots'), doc.context.obj([doc.context.register(annotation)]));
  return (await doc.save({ useObjectStreams: false })) as Uint8Array<ArrayBuffer>;
}

export function identifiedDocx(name: string, email: string): Uint8Array<ArrayBuffer> {
  const initials = name
    .split(' ')
    .map((p) => p[0])
    .join('');
  return zipSync({
    '[Content_Types].xml': encode(
      '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
    ),
    'word/document.xml': encode(
      `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>The methods need a power calculation.</w:t></w:r><w:ins w:id="1" w:author="${name}" w:date="2026-11-30T10:00:00Z"><w:r><w:t>Added.</w:t></w:r></w:ins></w:p></w:body></w:document>`,
    ),
    'word/comments.xml': encode(
      `<?xml version="1.0" encoding="UTF-8"?><w:comments xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:comment w:id="0" w:author="${name}" w:initials="${initials}"><w:p><w:r><w:t>Clarify.</w:t></w:r></w:p></w:comment></w:comments>`,
    ),
    'word/people.xml': encode(
      `<?xml version="1.0" encoding="UTF-8"?><w15:people xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml"><w15:person w15:author="${name}"><w15:presenceInfo w15:providerId="AD" w15:userId="${email}"/></w15:person></w15:people>`,
    ),
    'docProps/core.xml': encode(
      `<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Review</dc:title><dc:creator>${name}</dc:creator><cp:lastModifiedBy>${name}</cp:lastModifiedBy></cp:coreProperties>`,
    ),
    'docProps/app.xml': encode(
      `<?xml version="1.0" encoding="UTF-8"?><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Template>C:\\Users\\${name}\\Normal.dotm</Template><Company>${name} Cardiology</Company><Manager>${name}</Manager></Properties>`,
    ),
  }) as Uint8Array<ArrayBuffer>;
}

/**
 * Whether a PDF, or any part of a ZIP (DOCX), holds `text`: plain, or as UTF-16BE in a hex string (the
 * form pdf-lib writes information-dictionary strings in).
 */
export function holdsText(bytes: Uint8Array, text: string): boolean {
  const zip = bytes[0] === 0x50 && bytes[1] === 0x4b;
  const parts = zip ? Object.values(unzipSync(bytes)) : [bytes];
  const latin1 = parts.map((p) => Buffer.from(p).toString('latin1')).join('\n');
  const utf16Hex = [...text]
    .map((c) => c.charCodeAt(0).toString(16).padStart(4, '0'))
    .join('')
    .toUpperCase();
  return latin1.includes(text) || latin1.toUpperCase().includes(utf16Hex);
}
