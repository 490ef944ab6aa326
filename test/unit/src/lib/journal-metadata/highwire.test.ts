import { describe, expect, it } from 'vitest';
import { highwireTags, renderMetaTags } from '#src/lib/journal-metadata/highwire.ts';
import {
  articleWith,
  controlChars,
  hostileArticle,
  JOURNAL,
  ORIGINAL_RESEARCH,
  TRANSLATION,
} from '#test/helpers/journal-fixtures.ts';
import { XSS_PAYLOADS } from '#test/helpers/xss-corpus.ts';

const values = (tags: { name: string; content: string }[], name: string) =>
  tags.filter((t) => t.name === name).map((t) => t.content);

describe('Highwire citation_* tags', () => {
  it('lists what Google Scholar reads for an article in an issue', () => {
    const tags = highwireTags(ORIGINAL_RESEARCH, JOURNAL);
    expect(tags[0]).toEqual({ name: 'citation_title', content: ORIGINAL_RESEARCH.title });
    expect(values(tags, 'citation_author')).toEqual(['Carberry, Josiah', 'Li, Wei', 'Ivanova, Olga Petrovna']);
    // Each author is followed by their institution and ORCID, before the next author.
    const names = tags.map((t) => t.name);
    const first = names.indexOf('citation_author');
    expect(names.slice(first, first + 4)).toEqual([
      'citation_author',
      'citation_author_institution',
      'citation_author_orcid',
      'citation_author',
    ]);
    expect(values(tags, 'citation_author_orcid')[0]).toBe('https://orcid.org/0000-0002-1825-0097');
    expect(values(tags, 'citation_publication_date')).toEqual(['2026/03/16']);
    expect(values(tags, 'citation_online_date')).toEqual(['2026/03/16']);
    expect(values(tags, 'citation_journal_title')).toEqual([JOURNAL.title]);
    expect(values(tags, 'citation_journal_abbrev')).toEqual([JOURNAL.abbreviation]);
    expect(values(tags, 'citation_issn')).toEqual(['2999-0005']);
    expect(values(tags, 'citation_volume')).toEqual(['1']);
    expect(values(tags, 'citation_issue')).toEqual(['1']);
    expect(values(tags, 'citation_firstpage')).toEqual(['e2026001']);
    expect(values(tags, 'citation_doi')).toEqual(['10.5555/iecpa.2026.0001']);
    expect(values(tags, 'citation_pdf_url')).toEqual([ORIGINAL_RESEARCH.pdfUrl]);
    expect(values(tags, 'citation_abstract_html_url')).toEqual([ORIGINAL_RESEARCH.url]);
    expect(values(tags, 'citation_language')).toEqual(['en']);
    expect(values(tags, 'citation_keywords')).toEqual(ORIGINAL_RESEARCH.keywords);
    expect(values(tags, 'citation_publisher')).toEqual([JOURNAL.publisher]);
  });

  it('leaves out volume and issue for continuous publication, and absent ORCIDs, ISSN and PDF', () => {
    const tags = highwireTags(articleWith(TRANSLATION, { pdfUrl: undefined }), { ...JOURNAL, issn: undefined });
    const names = new Set(tags.map((t) => t.name));
    for (const absent of [
      'citation_volume',
      'citation_issue',
      'citation_author_orcid',
      'citation_issn',
      'citation_pdf_url',
    ]) {
      expect(names.has(absent)).toBe(false);
    }
    expect(values(tags, 'citation_firstpage')).toEqual(['e2026002']);
  });

  it('keeps every value one line of plain text and renders inert meta elements', () => {
    for (const payload of XSS_PAYLOADS) {
      const tags = highwireTags(hostileArticle(payload), JOURNAL);
      for (const tag of tags) expect(controlChars(tag.content)).toEqual([]);
      const html = renderMetaTags(tags);
      // The only markup is the meta elements themselves: no value can open a tag or close its attribute.
      expect(html.replace(/"[^"]*"/g, '""')).toBe(tags.map(() => '<meta name="" content="">').join('\n'));
      expect(html).not.toMatch(/content="[^"]*[<>'][^"]*"/);
      expect(html.split('\n').every((line) => /^<meta name="citation_[a-z_]+" content="[^"]*">$/.test(line))).toBe(
        true,
      );
    }
  });
});
