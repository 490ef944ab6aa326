/**
 * Reading XML outputs in tests: a strict parse (fast-xml-parser's validator, then an order-preserving tree)
 * and small checks that follow the schemas' rules — the children of an element in order, cardinality,
 * namespaces. The schemas themselves are not committed; each test names the rules it checks.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { expect } from 'vitest';

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** The element's own character data, concatenated. */
  text: string;
  /** Character data and child elements in document order (mixed content). */
  content: Array<string | XmlElement>;
}

type Ordered = Array<Record<string, unknown>>;

function toElement(node: Record<string, unknown>): XmlElement | null {
  const name = Object.keys(node).find((k) => k !== ':@');
  if (name === undefined || name === '#text' || name.startsWith('?')) return null;
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries((node[':@'] as Record<string, unknown>) ?? {})) attrs[k.slice(2)] = String(v);
  const kids = (node[name] as Ordered) ?? [];
  const children: XmlElement[] = [];
  const content: Array<string | XmlElement> = [];
  let text = '';
  for (const kid of kids) {
    if ('#text' in kid) {
      text += String(kid['#text']);
      content.push(String(kid['#text']));
    } else {
      const child = toElement(kid);
      if (child) {
        children.push(child);
        content.push(child);
      }
    }
  }
  return { name, attrs, children, text, content };
}

/** Parses a document (failing the test when it is not well formed) and returns its root element. */
export function parseXml(xml: string): XmlElement {
  const valid = XMLValidator.validate(xml, { allowBooleanAttributes: false });
  expect(valid, typeof valid === 'object' ? JSON.stringify(valid.err) : '').toBe(true);
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    processEntities: true,
    ignoreDeclaration: true,
    ignorePiTags: true,
  });
  const nodes = parser.parse(xml) as Ordered;
  const roots = nodes.map(toElement).filter((e): e is XmlElement => e !== null);
  expect(roots).toHaveLength(1);
  return roots[0] as XmlElement;
}

/** The child elements' names in order. */
export const childNames = (e: XmlElement): string[] => e.children.map((c) => c.name);

export function child(e: XmlElement, name: string): XmlElement {
  const found = e.children.filter((c) => c.name === name);
  expect(found, `${e.name} must have exactly one ${name}`).toHaveLength(1);
  return found[0] as XmlElement;
}

export const childrenNamed = (e: XmlElement, name: string): XmlElement[] => e.children.filter((c) => c.name === name);

/** Every element of the subtree, depth first. */
export function descendants(e: XmlElement): XmlElement[] {
  return [e, ...e.children.flatMap(descendants)];
}

/** The text of the element and all of its descendants. */
export function textContent(e: XmlElement): string {
  return e.content.map((c) => (typeof c === 'string' ? c : textContent(c))).join('');
}

/**
 * Checks children against an xs:sequence: each entry is a name with its [min, max] occurrences, in order;
 * no other element may appear.
 */
export function expectSequence(e: XmlElement, sequence: Array<[string, number, number]>): void {
  const names = childNames(e);
  let i = 0;
  for (const [name, min, max] of sequence) {
    let n = 0;
    while (names[i] === name) {
      n++;
      i++;
    }
    expect(
      n,
      `${e.name}/${name} occurs ${n} times, allowed ${min}..${max}; children: ${names.join(', ')}`,
    ).toBeGreaterThanOrEqual(min);
    expect(
      n,
      `${e.name}/${name} occurs ${n} times, allowed ${min}..${max}; children: ${names.join(', ')}`,
    ).toBeLessThanOrEqual(max);
  }
  expect(i, `${e.name} has unexpected children: ${names.slice(i).join(', ')} (all: ${names.join(', ')})`).toBe(
    names.length,
  );
}

export const UNBOUNDED = Number.POSITIVE_INFINITY;

/** The list's element at the index, failing the test when there is none. */
export function nth(list: XmlElement[], index: number): XmlElement {
  const found = list[index];
  if (found === undefined) throw new Error(`No element at index ${index} (list of ${list.length})`);
  return found;
}
