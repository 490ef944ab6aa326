/**
 * Highwire Press `citation_*` meta tags, which Google Scholar reads on article landing pages (Google Scholar
 * inclusion guidelines, "Indexing guidelines": citation_title, citation_author, citation_publication_date
 * are required; dates as YYYY/MM/DD; one citation_author tag per author, in order, each followed by its
 * citation_author_institution; citation_pdf_url for the full text).
 */
import { dateParts, pad2 } from './common.ts';
import type { ArticleMetadata, JournalInfo } from './types.ts';
import { escapeXmlAttr, oneLine } from './xml.ts';

export interface MetaTag {
  name: string;
  content: string;
}

const slashDate = (date: string): string => {
  const { year, month, day } = dateParts(date);
  return `${year}/${pad2(month)}/${pad2(day)}`;
};

/**
 * The tags for one article, in the order Scholar's guidelines list them. Values are plain text (white space
 * collapsed, control characters removed); the page escapes them when it writes the attribute.
 */
export function highwireTags(article: ArticleMetadata, journal: JournalInfo): MetaTag[] {
  const tags: MetaTag[] = [];
  const add = (name: string, value: string | number | undefined): void => {
    if (value === undefined) return;
    const content = oneLine(String(value));
    if (content !== '') tags.push({ name, content });
  };
  add('citation_title', article.title);
  for (const author of article.authors) {
    add('citation_author', `${author.surname}, ${author.givenNames}`);
    add('citation_author_institution', author.affiliation);
    add('citation_author_orcid', author.orcid ? `https://orcid.org/${author.orcid}` : undefined);
  }
  add('citation_publication_date', slashDate(article.publishedOn));
  add('citation_online_date', slashDate(article.publishedOn));
  add('citation_journal_title', journal.title);
  add('citation_journal_abbrev', journal.abbreviation);
  add('citation_issn', journal.issn);
  if (article.issue) {
    add('citation_volume', article.issue.volume);
    add('citation_issue', article.issue.number);
  }
  // Continuous publication has no pages: the electronic article number stands in for the first page.
  add('citation_firstpage', article.articleNumber);
  add('citation_doi', article.doi);
  add('citation_publisher', journal.publisher);
  add('citation_language', article.language);
  for (const keyword of article.keywords) add('citation_keywords', keyword);
  add('citation_abstract_html_url', article.url);
  add('citation_fulltext_html_url', article.url);
  add('citation_pdf_url', article.pdfUrl);
  return tags;
}

/** The tags as HTML `<meta>` elements (for pages that write the head as a string). */
export function renderMetaTags(tags: MetaTag[]): string {
  return tags.map((t) => `<meta name="${escapeXmlAttr(t.name)}" content="${escapeXmlAttr(t.content)}">`).join('\n');
}
