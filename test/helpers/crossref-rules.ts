/**
 * Checks of what crossref5.3.1.xsd (with common5.3.1.xsd, relations.xsd and AccessIndicators.xsd) requires
 * of a deposit: namespaces and version, element order and cardinality, attribute values and patterns. Used on
 * the generator's fixtures (unit) and on the deposits the portal serves (integration).
 */
import { expect } from 'vitest';
import { CROSSREF_NS } from '#src/lib/journal-metadata/crossref.ts';
import { child, childNames, childrenNamed, expectSequence, UNBOUNDED, type XmlElement } from './xml-structure.ts';

const DATE_SEQUENCE: Array<[string, number, number]> = [
  ['month', 0, 1],
  ['day', 0, 1],
  ['year', 1, 1],
];

/** What crossref5.3.1.xsd requires of one journal_article. */
export function expectCrossrefArticle(article: XmlElement): void {
  expect(article.attrs.publication_type).toBe('full_text');
  expect(article.attrs.language).toMatch(/^[a-z]{2}$/);
  expectSequence(article, [
    ['titles', 1, 20],
    ['contributors', 0, 1],
    ['jats:abstract', 0, UNBOUNDED],
    ['publication_date', 1, 10],
    ['acceptance_date', 0, 1],
    ['pages', 0, 1],
    ['publisher_item', 0, 1],
    ['crossmark', 0, 0],
    ['fr:program', 0, 1],
    ['ai:program', 0, 1],
    ['ct:program', 0, 1],
    ['rel:program', 0, 1],
    ['archive_locations', 0, 1],
    ['scn_policies', 0, 1],
    ['doi_data', 1, 1],
    ['citation_list', 0, 1],
    ['component_list', 0, 1],
  ]);
  expectSequence(child(article, 'titles'), [
    ['title', 1, 1],
    ['subtitle', 0, 1],
    ['original_language_title', 0, 1],
  ]);
  for (const date of [...childrenNamed(article, 'publication_date'), ...childrenNamed(article, 'acceptance_date')]) {
    expectSequence(date, DATE_SEQUENCE);
    expect(child(date, 'year').text).toMatch(/^\d{4}$/);
    expect(child(date, 'month').text).toMatch(/^(0[1-9]|1[0-2])$/);
    expect(child(date, 'day').text).toMatch(/^(0[1-9]|[12]\d|3[01])$/);
  }
  expect(child(article, 'publication_date').attrs.media_type).toBe('online');
  const people = child(article, 'contributors').children;
  expect(people.length).toBeGreaterThan(0);
  expect(people.filter((p) => p.attrs.sequence === 'first')).toHaveLength(1);
  expect(people[0]?.attrs.sequence).toBe('first');
  for (const person of people) {
    expect(person.name).toBe('person_name');
    expect(['first', 'additional']).toContain(person.attrs.sequence);
    expect(['author', 'translator']).toContain(person.attrs.contributor_role);
    expectSequence(person, [
      ['given_name', 0, 1],
      ['surname', 1, 1],
      ['suffix', 0, 1],
      ['affiliations', 0, 1],
      ['ORCID', 0, 1],
    ]);
    // given_name and surname: 1-60 characters, pattern [^\d\?]*[^\?\s]+[^\d]* (common5.3.1.xsd).
    for (const part of [...childrenNamed(person, 'given_name'), ...childrenNamed(person, 'surname')]) {
      expect([...part.text].length).toBeGreaterThanOrEqual(1);
      expect([...part.text].length).toBeLessThanOrEqual(60);
      expect(part.text).toMatch(/^[^\d?]*[^?\s]+[^\d]*$/);
    }
    for (const orcid of childrenNamed(person, 'ORCID')) {
      expect(orcid.text).toMatch(/^https:\/\/orcid\.org\/\d{4}-\d{4}-\d{4}-\d{3}[\dX]$/);
    }
    for (const affs of childrenNamed(person, 'affiliations')) {
      for (const inst of childrenNamed(affs, 'institution')) expect(childNames(inst)).toEqual(['institution_name']);
    }
  }
  const item = child(child(article, 'publisher_item'), 'item_number');
  expect(item.attrs.item_number_type).toBe('article_number');
  expect(item.text.length).toBeLessThanOrEqual(32);
  for (const t of childrenNamed(child(article, 'titles'), 'original_language_title')) {
    if (t.attrs.language !== undefined) expect(t.attrs.language).toMatch(/^[a-z]{2}$/);
  }
  const doiData = child(article, 'doi_data');
  expectSequence(doiData, [
    ['doi', 1, 1],
    ['timestamp', 0, 1],
    ['resource', 1, 1],
  ]);
  // doi_t: 10\.[0-9]{4,9}/.{1,200}; resource_t: http(s) or ftp URL; timestamp: nonNegativeInteger.
  expect(child(doiData, 'doi').text).toMatch(/^10\.\d{4,9}\/.{1,200}$/);
  expect(child(doiData, 'resource').text).toMatch(/^https?:\/\//);
  expect(child(doiData, 'timestamp').text).toMatch(/^\d+$/);
  const license = child(child(article, 'ai:program'), 'ai:license_ref');
  expect(child(article, 'ai:program').attrs.name).toBe('AccessIndicators');
  expect(license.attrs.applies_to).toBe('vor');
  for (const rel of childrenNamed(article, 'rel:program')) {
    expect(rel.attrs.name).toBe('relations');
    for (const item of rel.children) {
      expect(item.name).toBe('rel:related_item');
      const relation = child(item, 'rel:intra_work_relation');
      expect(['isTranslationOf', 'hasTranslation']).toContain(relation.attrs['relationship-type']);
      expect(['doi', 'uri']).toContain(relation.attrs['identifier-type']);
    }
  }
}

/**
 * What crossref5.3.1.xsd requires of a whole deposit (doi_batch: namespaces and version, head, body, each
 * journal's metadata, issue and articles); `timestamp` is the head's expected timestamp when known.
 */
export function expectCrossrefBatch(root: XmlElement, timestamp?: string): XmlElement {
  expect(root.name).toBe('doi_batch');
  expect(root.attrs).toMatchObject({
    xmlns: CROSSREF_NS,
    version: '5.3.1',
    'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
    'xmlns:jats': 'http://www.ncbi.nlm.nih.gov/JATS1',
    'xmlns:rel': 'http://www.crossref.org/relations.xsd',
    'xmlns:ai': 'http://www.crossref.org/AccessIndicators.xsd',
    'xsi:schemaLocation': 'http://www.crossref.org/schema/5.3.1 https://www.crossref.org/schemas/crossref5.3.1.xsd',
  });
  expect(childNames(root)).toEqual(['head', 'body']);
  const head = child(root, 'head');
  expect(childNames(head)).toEqual(['doi_batch_id', 'timestamp', 'depositor', 'registrant']);
  expect(child(head, 'doi_batch_id').text.length).toBeLessThanOrEqual(64);
  expect(child(head, 'timestamp').text).toMatch(/^\d{14}$/);
  if (timestamp) expect(child(head, 'timestamp').text).toBe(timestamp);
  expect(childNames(child(head, 'depositor'))).toEqual(['depositor_name', 'email_address']);
  const body = child(root, 'body');
  expect(childNames(body).every((n) => n === 'journal')).toBe(true);
  for (const journal of childrenNamed(body, 'journal')) {
    expectSequence(journal, [
      ['journal_metadata', 1, 1],
      ['journal_issue', 0, 1],
      ['journal_article', 0, UNBOUNDED],
    ]);
    const meta = child(journal, 'journal_metadata');
    expectSequence(meta, [
      ['full_title', 1, 10],
      ['abbrev_title', 0, 10],
      ['issn', 0, 6],
      ['coden', 0, 1],
      ['archive_locations', 0, 1],
      ['doi_data', 0, 1],
    ]);
    // Crossref requires an ISSN or a title-level DOI for a journal.
    expect(childrenNamed(meta, 'issn').length + childrenNamed(meta, 'doi_data').length).toBeGreaterThan(0);
    for (const issn of childrenNamed(meta, 'issn')) expect(issn.text).toMatch(/^\d{4}-?\d{3}[\dX]$/);
    for (const issue of childrenNamed(journal, 'journal_issue')) {
      expectSequence(issue, [
        ['contributors', 0, 1],
        ['titles', 0, 1],
        ['publication_date', 1, 10],
        ['journal_volume', 0, 1],
        ['issue', 0, 1],
        ['special_numbering', 0, 1],
        ['archive_locations', 0, 1],
        ['doi_data', 0, 1],
      ]);
      for (const date of childrenNamed(issue, 'publication_date')) expectSequence(date, DATE_SEQUENCE);
      expectSequence(child(issue, 'journal_volume'), [['volume', 1, 1]]);
    }
    for (const article of childrenNamed(journal, 'journal_article')) expectCrossrefArticle(article);
  }
  return body;
}
