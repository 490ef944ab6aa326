import { describe, expect, it } from 'vitest';
import { jatsArticle } from '#src/lib/journal-metadata/jats.ts';
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
  expectSequence,
  nth,
  parseXml,
  textContent,
  UNBOUNDED,
} from '#test/helpers/xml-structure.ts';
import { XSS_PAYLOADS } from '#test/helpers/xss-corpus.ts';

const front = (xml: string) => child(parseXml(xml), 'front');

describe('JATS 1.3 Journal Publishing', () => {
  it('declares the 1.3 DTD, the namespaces and the article type', () => {
    const xml = jatsArticle(ORIGINAL_RESEARCH, JOURNAL);
    expect(xml).toContain(
      '<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Publishing DTD v1.3 20210610//EN"',
    );
    const root = parseXml(xml);
    expect(root.name).toBe('article');
    expect(root.attrs).toMatchObject({
      'dtd-version': '1.3',
      'article-type': 'research-article',
      'xml:lang': 'en',
      'xmlns:xlink': 'http://www.w3.org/1999/xlink',
    });
    expect(childNames(root)).toEqual(['front', 'back']);
  });

  it('writes journal-meta and article-meta in the DTD order', () => {
    const f = front(jatsArticle(ORIGINAL_RESEARCH, JOURNAL));
    expectSequence(child(f, 'journal-meta'), [
      ['journal-id', 1, UNBOUNDED],
      ['journal-title-group', 0, UNBOUNDED],
      ['issn', 1, UNBOUNDED],
      ['publisher', 0, 1],
    ]);
    const meta = child(f, 'article-meta');
    expectSequence(meta, [
      ['article-id', 1, UNBOUNDED],
      ['article-categories', 0, 1],
      ['title-group', 1, 1],
      ['contrib-group', 1, UNBOUNDED],
      ['aff', 0, UNBOUNDED],
      ['author-notes', 0, 1],
      ['pub-date', 1, UNBOUNDED],
      ['volume', 0, 1],
      ['issue', 0, 1],
      ['elocation-id', 1, 1],
      ['history', 0, 1],
      ['permissions', 0, 1],
      ['self-uri', 0, UNBOUNDED],
      ['related-article', 0, UNBOUNDED],
      ['abstract', 1, UNBOUNDED],
      ['trans-abstract', 0, UNBOUNDED],
      ['kwd-group', 0, UNBOUNDED],
      ['funding-group', 0, UNBOUNDED],
    ]);
    const doi = childrenNamed(meta, 'article-id').find((a) => a.attrs['pub-id-type'] === 'doi');
    expect(doi?.text).toBe('10.5555/iecpa.2026.0001');
    expect(child(meta, 'elocation-id').text).toBe('e2026001');
    expect(child(meta, 'volume').text).toBe('1');
    const pubDate = child(meta, 'pub-date');
    expectSequence(pubDate, [
      ['day', 0, 1],
      ['month', 0, 1],
      ['year', 1, 1],
    ]);
    expect(pubDate.attrs['iso-8601-date']).toBe('2026-03-16');
    expect(childrenNamed(child(meta, 'history'), 'date').map((d) => d.attrs['date-type'])).toEqual([
      'received',
      'rev-recd',
      'accepted',
    ]);
    const license = child(child(meta, 'permissions'), 'license');
    expect(license.attrs['xlink:href']).toBe('https://creativecommons.org/licenses/by/4.0/');
  });

  it('keeps the required issn element, empty, for a journal without an ISSN yet', () => {
    const meta = child(front(jatsArticle(TRANSLATION, { ...JOURNAL, issn: undefined })), 'journal-meta');
    expect(child(meta, 'issn').text).toBe('');
  });

  it('lists authors with ORCID contrib-ids and affiliations by reference', () => {
    const meta = child(front(jatsArticle(ORIGINAL_RESEARCH, JOURNAL)), 'article-meta');
    const contribs = childrenNamed(child(meta, 'contrib-group'), 'contrib');
    expect(contribs).toHaveLength(3);
    for (const c of contribs) {
      expectSequence(c, [
        ['contrib-id', 0, 1],
        ['name', 1, 1],
        ['xref', 0, UNBOUNDED],
      ]);
      expect(child(c, 'contrib-id').attrs['contrib-id-type']).toBe('orcid');
      expect(child(c, 'contrib-id').text).toMatch(/^https:\/\/orcid\.org\/\d{4}-\d{4}-\d{4}-\d{3}[\dX]$/);
      expectSequence(child(c, 'name'), [
        ['surname', 1, 1],
        ['given-names', 0, 1],
      ]);
    }
    const affIds = childrenNamed(meta, 'aff').map((a) => a.attrs.id);
    expect(affIds).toEqual(['aff1', 'aff2', 'aff3']);
    expect(contribs.map((c) => child(c, 'xref').attrs.rid)).toEqual(affIds);
    expect(textContent(nth(childrenNamed(meta, 'aff'), 1))).toBe('Sun Yat-sen University, Guangzhou, China');
  });

  it('writes the structured abstract as titled sections, keywords and references', () => {
    const root = parseXml(jatsArticle(ORIGINAL_RESEARCH, JOURNAL));
    const meta = child(child(root, 'front'), 'article-meta');
    const sections = childrenNamed(child(meta, 'abstract'), 'sec');
    expect(sections.map((s) => child(s, 'title').text)).toEqual(['Background', 'Methods', 'Results', 'Conclusions']);
    expect(child(nth(sections, 2), 'p').text).toContain('(p < 0.001)');
    expect(childrenNamed(child(meta, 'kwd-group'), 'kwd').map((k) => k.text)).toEqual(ORIGINAL_RESEARCH.keywords);
    const refs = childrenNamed(child(child(root, 'back'), 'ref-list'), 'ref');
    expect(refs).toHaveLength(2);
    expect(child(nth(refs, 0), 'mixed-citation').text).toMatch(/^Arora RR/);
    const related = childrenNamed(meta, 'related-article');
    expect(related.map((r) => [r.attrs['related-article-type'], r.attrs['xlink:href']])).toEqual([
      ['translation', '10.5555/iecpa.2026.0003'],
    ]);
  });

  it('keeps a translation’s original title and abstract in their language and links the original', () => {
    const meta = child(front(jatsArticle(TRANSLATION, JOURNAL)), 'article-meta');
    const trans = child(child(meta, 'title-group'), 'trans-title-group');
    expect(trans.attrs['xml:lang']).toBe('zh');
    expect(child(trans, 'trans-title').text).toBe('增强型体外反搏治疗老年慢性心力衰竭');
    expect(child(meta, 'trans-abstract').attrs['xml:lang']).toBe('zh');
    const groups = childrenNamed(meta, 'contrib-group');
    expect(groups.map((g) => g.attrs['content-type'])).toEqual(['authors', 'translators']);
    expect(child(nth(groups, 1), 'contrib').attrs['contrib-type']).toBe('translator');
    const related = child(meta, 'related-article');
    expect(related.attrs).toMatchObject({
      'related-article-type': 'translation-of',
      'ext-link-type': 'doi',
      'xlink:href': '10.5555/cjc.2024.0301',
    });
    // Continuous publication: no volume or issue.
    expect(childNames(meta)).not.toContain('volume');
  });

  it('links retraction notices', () => {
    const retracted = articleWith(ORIGINAL_RESEARCH, {
      retracted: true,
      notices: [
        {
          kind: 'retraction',
          publishedOn: '2026-06-01',
          text: 'Data could not be verified.',
          doi: '10.5555/iecpa.2026.0099',
        },
      ],
    });
    const meta = child(front(jatsArticle(retracted, JOURNAL)), 'article-meta');
    const notice = childrenNamed(meta, 'related-article').find(
      (r) => r.attrs['related-article-type'] === 'retraction-forward',
    );
    expect(notice?.attrs['xlink:href']).toBe('10.5555/iecpa.2026.0099');
  });

  it('keeps hostile text as character data with no illegal characters', () => {
    for (const payload of XSS_PAYLOADS) {
      const xml = jatsArticle(hostileArticle(payload), JOURNAL);
      expect(illegalXmlChars(xml)).toEqual([]);
      const root = parseXml(xml);
      const names = new Set(descendants(root).map((e) => e.name));
      for (const bad of ['script', 'img', 'svg', 'iframe', 'a', 'b']) expect(names.has(bad)).toBe(false);
      const title = child(child(child(child(root, 'front'), 'article-meta'), 'title-group'), 'article-title');
      expect(title.text.startsWith(payload.replace(/\s+/g, ' ').trim())).toBe(true);
    }
  });
});
