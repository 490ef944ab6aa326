/**
 * A small XML writer for the journal's metadata formats (JATS, Crossref, OAI-PMH, Atom). Text is escaped by
 * default: a plain string child is always character data, and only an `Xml` value (made by `el`, `raw` or
 * `fragment`) is written as markup, so no caller can forget to escape a title.
 *
 * XML 1.0 (Fifth Edition) section 2.2 allows only #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] |
 * [#x10000-#x10FFFF] in a document; anything else (C0 controls, lone surrogates, U+FFFE/U+FFFF) is removed,
 * since not even a character reference may name it.
 */

/** Markup that is written as it is (already well formed). */
export class Xml {
  readonly markup: string;
  constructor(markup: string) {
    this.markup = markup;
  }
  toString(): string {
    return this.markup;
  }
}

export type XmlChild = Xml | string | number | null | undefined | false | readonly XmlChild[];
export type XmlAttrs = Record<string, string | number | null | undefined | false>;

const ILLEGAL_XML_CHARS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** The text with the characters XML 1.0 forbids removed. */
export function stripIllegalXmlChars(text: string): string {
  return text.replace(ILLEGAL_XML_CHARS, '');
}

/** Character data: &, < and > escaped (> too, so "]]>" cannot appear). */
export function escapeXmlText(text: string): string {
  return stripIllegalXmlChars(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * An attribute value for double quotes. Tab, newline and carriage return become character references, as
 * attribute-value normalisation (XML 1.0 section 3.3.3) would otherwise turn them into spaces.
 */
export function escapeXmlAttr(text: string): string {
  return escapeXmlText(text)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

/** Collapses runs of white space (and removes illegal characters): for titles, names and one-line fields. */
export function oneLine(text: string): string {
  return stripIllegalXmlChars(text).replace(/\s+/g, ' ').trim();
}

function writeChild(child: XmlChild, out: string[]): void {
  if (child === null || child === undefined || child === false) return;
  if (child instanceof Xml) out.push(child.markup);
  else if (Array.isArray(child)) for (const c of child) writeChild(c, out);
  else out.push(escapeXmlText(String(child)));
}

/** Markup from a trusted literal (e.g. the XML declaration). Never pass user text here. */
export function raw(markup: string): Xml {
  return new Xml(markup);
}

/** Several children side by side, without an enclosing element. */
export function fragment(...children: XmlChild[]): Xml {
  const out: string[] = [];
  writeChild(children, out);
  return new Xml(out.join(''));
}

/**
 * An element. Attributes whose value is null, undefined or false are left out; children that are null,
 * undefined or false are skipped; an element without children is written as an empty-element tag.
 */
export function el(name: string, attrs: XmlAttrs | null, ...children: XmlChild[]): Xml {
  let open = `<${name}`;
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      open += ` ${key}="${escapeXmlAttr(String(value))}"`;
    }
  }
  const out: string[] = [];
  writeChild(children, out);
  if (out.length === 0) return new Xml(`${open}/>`);
  return new Xml(`${open}>${out.join('')}</${name}>`);
}

/** The element only when it has text: optional fields stay out instead of appearing empty. */
export function elIf(name: string, attrs: XmlAttrs | null, text: string | number | null | undefined): Xml | null {
  if (text === null || text === undefined) return null;
  const value = typeof text === 'string' ? oneLine(text) : String(text);
  return value === '' ? null : el(name, attrs, value);
}

export const XML_DECLARATION = raw('<?xml version="1.0" encoding="UTF-8"?>\n');

/** A whole document: the declaration and the root element. */
export function xmlDocument(root: Xml, prolog?: Xml): string {
  return `${XML_DECLARATION.markup}${prolog ? `${prolog.markup}\n` : ''}${root.markup}\n`;
}
