/**
 * Checks on real deposits of what crossref5.3.1.xsd (with common5.3.1.xsd, relations.xsd and
 * AccessIndicators.xsd) requires: namespaces and version, element order and cardinality, attribute values.
 */
import { describe, expect, it } from 'vitest';
import {
  CrossrefInputError,
  crossrefArticleDeposit,
  crossrefIssueDeposit,
  crossrefTimestamp,
} from '#src/lib/journal-metadata/crossref.ts';
import { expectCrossrefBatch } from '#test/helpers/crossref-rules.ts';
import {
  articleWith,
  hostileArticle,
  illegalXmlChars,
  JOURNAL,
  ORIGINAL_RESEARCH,
  TRANSLATION,
} from '#test/helpers/journal-fixtures.ts';
import {
  child,
  childNames,
  childrenNamed,
  descendants,
  nth,
  parseXml,
  type XmlElement,
} from '#test/helpers/xml-structure.ts';
import { XSS_PAYLOADS } from '#test/helpers/xss-corpus.ts';

const OPTIONS = {
  depositor: { name: 'IECPA journal office', email: 'journal@iecpa.example', registrant: 'IECPA' },
  now: Date.UTC(2026, 3, 2, 10, 11, 12, 345),
};

/** The batch rules, with the head's timestamp of OPTIONS.now (UTC, YYYYMMDDhhmmss). */
const expectBatch = (root: XmlElement): XmlElement => expectCrossrefBatch(root, '20260402101112');

describe('Crossref deposit 5.3.1', () => {
  it('deposits an article in an issue with its authors, ORCIDs, dates and DOI', () => {
    const body = expectBatch(parseXml(crossrefArticleDeposit(ORIGINAL_RESEARCH, JOURNAL, OPTIONS)));
    const journal = child(body, 'journal');
    expect(child(child(journal, 'journal_metadata'), 'full_title').text).toBe(JOURNAL.title);
    const issue = child(journal, 'journal_issue');
    expect(child(child(issue, 'journal_volume'), 'volume').text).toBe('1');
    expect(child(issue, 'issue').text).toBe('1');
    const article = child(journal, 'journal_article');
    const people = child(article, 'contributors').children;
    expect(people.map((p) => [p.attrs.sequence, p.attrs.contributor_role, child(p, 'surname').text])).toEqual([
      ['first', 'author', 'Carberry'],
      ['additional', 'author', 'Li'],
      ['additional', 'author', 'Ivanova'],
    ]);
    expect(child(nth(people, 0), 'ORCID').text).toBe('https://orcid.org/0000-0002-1825-0097');
    expect(child(child(article, 'doi_data'), 'doi').text).toBe('10.5555/iecpa.2026.0001');
    expect(child(child(article, 'publisher_item'), 'item_number').text).toBe('e2026001');
    const abstract = child(article, 'jats:abstract');
    expect(childrenNamed(abstract, 'jats:sec')).toHaveLength(4);
    expect(childrenNamed(child(article, 'citation_list'), 'citation')).toHaveLength(2);
    const rel = child(child(child(article, 'rel:program'), 'rel:related_item'), 'rel:intra_work_relation');
    expect(rel.attrs['relationship-type']).toBe('hasTranslation');
    expect(rel.text).toBe('10.5555/iecpa.2026.0003');
  });

  it('deposits a translation with its translator, original-language title and isTranslationOf', () => {
    const body = expectBatch(parseXml(crossrefArticleDeposit(TRANSLATION, JOURNAL, OPTIONS)));
    const journal = child(body, 'journal');
    expect(childNames(journal)).toEqual(['journal_metadata', 'journal_article']);
    const article = child(journal, 'journal_article');
    const original = child(child(article, 'titles'), 'original_language_title');
    expect(original.attrs.language).toBe('zh');
    expect(original.text).toBe('增强型体外反搏治疗老年慢性心力衰竭');
    const people = child(article, 'contributors').children;
    expect(people.map((p) => p.attrs.contributor_role)).toEqual(['author', 'translator']);
    const rel = child(child(child(article, 'rel:program'), 'rel:related_item'), 'rel:intra_work_relation');
    expect(rel.attrs['relationship-type']).toBe('isTranslationOf');
    expect(rel.text).toBe('10.5555/cjc.2024.0301');
  });

  it('deposits an issue: one journal element, the issue once, all its articles', () => {
    const second = articleWith(ORIGINAL_RESEARCH, {
      id: 'a2026-0005',
      doi: '10.5555/iecpa.2026.0005',
      articleNumber: 'e2026005',
      publishedOn: '2026-03-20',
    });
    const body = expectBatch(
      parseXml(
        crossrefIssueDeposit({ volume: 1, number: 1, year: 2026 }, [second, ORIGINAL_RESEARCH], JOURNAL, OPTIONS),
      ),
    );
    const journal = child(body, 'journal');
    expect(childrenNamed(journal, 'journal_article')).toHaveLength(2);
    const date = child(child(journal, 'journal_issue'), 'publication_date');
    expect([child(date, 'year').text, child(date, 'month').text, child(date, 'day').text]).toEqual([
      '2026',
      '03',
      '16',
    ]);
  });

  it('names an original without a DOI by its URL, and leaves out language tags outside ISO 639-1', () => {
    const translation = articleWith(TRANSLATION, {
      language: 'en-GB',
      original: { title: { text: '粤语原文', language: 'yue' }, citation: 'x', url: 'https://example.cn/a/1' },
    });
    const body = expectBatch(parseXml(crossrefArticleDeposit(translation, JOURNAL, OPTIONS)));
    const article = child(child(body, 'journal'), 'journal_article');
    expect(article.attrs.language).toBe('en');
    expect(child(child(article, 'titles'), 'original_language_title').attrs.language).toBeUndefined();
    const rel = child(child(child(article, 'rel:program'), 'rel:related_item'), 'rel:intra_work_relation');
    expect(rel.attrs).toMatchObject({ 'relationship-type': 'isTranslationOf', 'identifier-type': 'uri' });
    expect(rel.text).toBe('https://example.cn/a/1');
  });

  it('uses a title-level DOI when the journal has no ISSN', () => {
    const body = expectBatch(parseXml(crossrefArticleDeposit(TRANSLATION, { ...JOURNAL, issn: undefined }, OPTIONS)));
    const meta = child(child(body, 'journal'), 'journal_metadata');
    expect(child(child(meta, 'doi_data'), 'doi').text).toBe('10.5555/journal');
  });

  it('refuses inputs Crossref would reject, with a clear error', () => {
    expect(() =>
      crossrefIssueDeposit({ volume: 1, number: 2, year: 2026 }, [ORIGINAL_RESEARCH], JOURNAL, OPTIONS),
    ).toThrow(new CrossrefInputError('Article a2026-0001 is not in volume 1 issue 2.'));
    expect(() => crossrefIssueDeposit({ volume: 1, number: 1, year: 2026 }, [], JOURNAL, OPTIONS)).toThrow(
      CrossrefInputError,
    );
    expect(() => crossrefArticleDeposit(articleWith(TRANSLATION, { doi: '10.9999/x' }), JOURNAL, OPTIONS)).toThrow(
      /not under the prefix 10\.5555/,
    );
    expect(() => crossrefArticleDeposit(articleWith(TRANSLATION, { authors: [] }), JOURNAL, OPTIONS)).toThrow(
      /no authors/,
    );
    expect(() =>
      crossrefArticleDeposit(TRANSLATION, JOURNAL, { ...OPTIONS, depositor: { ...OPTIONS.depositor, email: ' ' } }),
    ).toThrow(/depositor email is empty/);
    expect(() =>
      crossrefArticleDeposit(articleWith(TRANSLATION, { articleNumber: 'e'.repeat(33) }), JOURNAL, OPTIONS),
    ).toThrow(/article number must be 1-32 characters/);
    expect(() =>
      crossrefArticleDeposit(articleWith(TRANSLATION, { url: 'javascript:alert(1)' }), JOURNAL, OPTIONS),
    ).toThrow(/http\(s\) URL/);
    expect(() =>
      crossrefArticleDeposit(
        articleWith(TRANSLATION, { authors: [{ givenNames: 'Only', surname: ' ' }] }),
        JOURNAL,
        OPTIONS,
      ),
    ).toThrow(/no surname/);
    expect(() => crossrefArticleDeposit(TRANSLATION, { ...JOURNAL, issn: '12-34' }, OPTIONS)).toThrow(/not an ISSN/);
  });

  it('writes timestamps as 14-digit numbers that grow with time and survive xsd:double', () => {
    expect(crossrefTimestamp(Date.UTC(2026, 0, 2, 3, 4, 5, 6))).toBe('20260102030405');
    const later = crossrefTimestamp(Date.UTC(2026, 0, 2, 3, 4, 6));
    expect(Number(later)).toBeGreaterThan(Number(crossrefTimestamp(Date.UTC(2026, 0, 2, 3, 4, 5))));
    expect(String(Number(later))).toBe(later);
  });

  it('keeps hostile text as character data with no illegal characters', () => {
    // Names have their own rules (below); hostile text everywhere else, and markup characters in names.
    const names = [
      {
        givenNames: 'Ann <b>&amp; "Jo"',
        surname: "O'Brien <script>",
        orcid: '0000-0002-1825-0097',
        affiliation: '<i>x</i>',
      },
    ];
    for (const payload of XSS_PAYLOADS) {
      const article = { ...hostileArticle(payload), authors: names, translators: names };
      const xml = crossrefArticleDeposit(article, JOURNAL, OPTIONS);
      expect(illegalXmlChars(xml)).toEqual([]);
      const root = parseXml(xml);
      expectBatch(root);
      const elementNames = new Set(descendants(root).map((e) => e.name));
      for (const bad of ['script', 'img', 'svg', 'iframe', 'a', 'b', 'i']) expect(elementNames.has(bad)).toBe(false);
      const person = nth(
        child(child(child(child(root, 'body'), 'journal'), 'journal_article'), 'contributors').children,
        0,
      );
      expect(child(person, 'surname').text).toBe("O'Brien <script>");
    }
  });

  it('refuses names Crossref would reject instead of changing them', () => {
    const withName = (surname: string) => articleWith(TRANSLATION, { authors: [{ givenNames: 'A', surname }] });
    expect(() => crossrefArticleDeposit(withName('x'.repeat(61)), JOURNAL, OPTIONS)).toThrow(
      /longer than Crossref's 60/,
    );
    expect(() => crossrefArticleDeposit(withName('?'), JOURNAL, OPTIONS)).toThrow(/does not accept in names/);
    expect(() => crossrefArticleDeposit(withName('1 2'), JOURNAL, OPTIONS)).toThrow(/does not accept in names/);
    expect(() => crossrefArticleDeposit(withName('Zhang 张'), JOURNAL, OPTIONS)).not.toThrow();
  });
});
