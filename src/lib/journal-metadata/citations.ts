/**
 * "Cite this article": Vancouver (ICMJE/NLM, the medical default) and APA 7 through citation-js, whose CSL
 * plugin ships both styles and the en-US locale inside the package; BibTeX and RIS are written here.
 *
 * The CSL outputs are plain text (the page escapes them). citeproc reads a few HTML-like tags in titles as
 * formatting (<i>, <b>, <sup>, <sub>) and drops them from text output; any other markup stays as text.
 */
import { Cite } from '@citation-js/core';
import '@citation-js/plugin-csl';
import { abstractAsText, dateParts, doiUrl } from './common.ts';
import type { ArticleMetadata, ArticlePerson, JournalInfo } from './types.ts';
import { oneLine, stripIllegalXmlChars } from './xml.ts';

export type CitationStyle = 'vancouver' | 'apa';

interface CslName {
  family: string;
  given: string;
}

const cslName = (person: ArticlePerson): CslName => ({
  family: oneLine(person.surname),
  given: oneLine(person.givenNames),
});

/** The article as a CSL-JSON item (CSL 1.0.2 variables). */
export function cslItem(article: ArticleMetadata, journal: JournalInfo): Record<string, unknown> {
  const { year, month, day } = dateParts(article.publishedOn);
  return {
    id: article.id,
    type: 'article-journal',
    title: oneLine(article.title),
    author: article.authors.map(cslName),
    ...(article.translators.length > 0 ? { translator: article.translators.map(cslName) } : {}),
    'container-title': oneLine(journal.title),
    'container-title-short': oneLine(journal.abbreviation),
    publisher: oneLine(journal.publisher),
    issued: { 'date-parts': [[year, month, day]] },
    ...(article.issue ? { volume: String(article.issue.volume), issue: String(article.issue.number) } : {}),
    // CSL's vancouver and apa styles print `number` as the e-locator of an article without pages.
    number: oneLine(article.articleNumber),
    DOI: article.doi,
    URL: article.url,
    ...(journal.issn ? { ISSN: journal.issn } : {}),
    language: article.language,
  };
}

/**
 * citeproc costs about 5 ms per formatted reference once warm, and compiling a style the first time costs
 * 0.2 s (Vancouver) to 4 s (APA) on a busy machine. Formatted references are kept per article version
 * (id and updatedAt), so an article page pays once per edit; the oldest entries go past the limit.
 */
const CACHE_LIMIT = 2000;
const cache = new Map<string, string>();

function formatUncached(article: ArticleMetadata, journal: JournalInfo, style: CitationStyle): string {
  const cite = new Cite([cslItem(article, journal)]);
  const text = String(cite.format('bibliography', { format: 'text', template: style, lang: 'en-US' }));
  return text.trim().replace(/^\d+\.\s+/, '');
}

/** One formatted reference, without the list number the style adds ("1. "). */
export function formatCitation(article: ArticleMetadata, journal: JournalInfo, style: CitationStyle): string {
  const key = [style, article.id, article.updatedAt, journal.title, journal.abbreviation].join('\u0000');
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const text = formatUncached(article, journal, style);
  if (cache.size >= CACHE_LIMIT) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.set(key, text);
  return text;
}

/**
 * Compiles both styles once (call at server start, off the request path), so the first reader of an article
 * page does not wait seconds for APA.
 */
export function warmCitationStyles(journal: JournalInfo): void {
  const sample: ArticleMetadata = {
    id: 'warm-up',
    doi: `${journal.doiPrefix}/warm-up`,
    url: journal.origin,
    type: 'original-research',
    title: 'Warm-up',
    language: 'en',
    abstract: { background: '', methods: '', results: '', conclusions: '' },
    keywords: [],
    authors: [{ givenNames: 'A', surname: 'B' }],
    translators: [],
    receivedOn: '2026-01-01',
    acceptedOn: '2026-01-01',
    publishedOn: '2026-01-01',
    updatedAt: 0,
    articleNumber: 'e0',
    licenceUrl: '',
    competingInterests: '',
    funding: '',
    references: [],
    translationDois: [],
    retracted: false,
    notices: [],
  };
  formatUncached(sample, journal, 'vancouver');
  formatUncached(sample, journal, 'apa');
}

// --- BibTeX -----------------------------------------------------------------------------------------------

/**
 * A BibTeX field value inside braces: the characters TeX treats specially are escaped (so braces always
 * balance and nothing is read as a command), white space is collapsed, control characters removed. UTF-8
 * letters are kept (biber and BibTeX with inputenc read them).
 */
export function escapeBibtex(text: string): string {
  return oneLine(text).replace(/[\\{}$&%#_^~]/g, (c) => {
    switch (c) {
      case '\\':
        return '\\textbackslash{}';
      case '^':
        return '\\textasciicircum{}';
      case '~':
        return '\\textasciitilde{}';
      default:
        return `\\${c}`;
    }
  });
}

const bibtexName = (p: ArticlePerson): string => `${escapeBibtex(p.surname)}, ${escapeBibtex(p.givenNames)}`;

/** A citation key of ASCII letters and digits: first author's surname, year, local id. */
export function bibtexKey(article: ArticleMetadata): string {
  const surname = (article.authors[0]?.surname ?? 'anon')
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9]/g, '')
    .toLowerCase();
  const id = article.id.replace(/[^A-Za-z0-9]/g, '');
  return `${surname || 'anon'}${dateParts(article.publishedOn).year}${id}`;
}

export function toBibtex(article: ArticleMetadata, journal: JournalInfo): string {
  const { year, month } = dateParts(article.publishedOn);
  const fields: Array<[string, string | undefined]> = [
    ['author', article.authors.map(bibtexName).join(' and ')],
    // Double braces keep the title's capitals as written.
    ['title', `{${escapeBibtex(article.title)}}`],
    ['journal', escapeBibtex(journal.title)],
    ['shortjournal', escapeBibtex(journal.abbreviation)],
    ['year', String(year)],
    ['month', String(month)],
    ['volume', article.issue ? String(article.issue.volume) : undefined],
    ['number', article.issue ? String(article.issue.number) : undefined],
    ['eid', escapeBibtex(article.articleNumber)],
    ['pages', escapeBibtex(article.articleNumber)],
    ['doi', escapeBibtex(article.doi)],
    ['url', escapeBibtex(article.url)],
    ['issn', journal.issn ? escapeBibtex(journal.issn) : undefined],
    ['publisher', escapeBibtex(journal.publisher)],
    ['language', escapeBibtex(article.language)],
    ['keywords', article.keywords.length > 0 ? article.keywords.map(escapeBibtex).join(', ') : undefined],
    ['translator', article.translators.length > 0 ? article.translators.map(bibtexName).join(' and ') : undefined],
  ];
  const body = fields
    .filter((f): f is [string, string] => f[1] !== undefined && f[1] !== '')
    .map(([name, value]) => `  ${name} = {${value}}`)
    .join(',\n');
  return `@article{${bibtexKey(article)},\n${body}\n}\n`;
}

// --- RIS --------------------------------------------------------------------------------------------------

/** A RIS value: one line (RIS has no escaping; a line break would start a new field), control chars removed. */
const risValue = (text: string): string => oneLine(stripIllegalXmlChars(text));

/**
 * RIS (Research Information Systems format, as specified in the RefMan/EndNote RIS specification): "TY  - "
 * first, "ER  - " last, one tag per line as two capitals, two spaces, a hyphen and a space; CRLF line ends.
 */
export function toRis(article: ArticleMetadata, journal: JournalInfo): string {
  const { year, month, day } = dateParts(article.publishedOn);
  const lines: Array<[string, string | undefined]> = [['TY', 'JOUR']];
  for (const a of article.authors) lines.push(['AU', `${a.surname}, ${a.givenNames}`]);
  for (const t of article.translators) lines.push(['A4', `${t.surname}, ${t.givenNames}`]);
  lines.push(
    ['TI', article.title],
    ['T2', journal.title],
    ['J2', journal.abbreviation],
    ['PY', String(year)],
    ['DA', `${year}/${String(month).padStart(2, '0')}/${String(day).padStart(2, '0')}`],
    ['VL', article.issue ? String(article.issue.volume) : undefined],
    ['IS', article.issue ? String(article.issue.number) : undefined],
    ['SP', article.articleNumber],
    ['DO', article.doi],
    ['UR', doiUrl(article.doi)],
    ['SN', journal.issn],
    ['PB', journal.publisher],
    ['LA', article.language],
    ['AB', abstractAsText(article.abstract)],
  );
  for (const k of article.keywords) lines.push(['KW', k]);
  const body = lines
    .map(([tag, value]) => [tag, value === undefined ? '' : risValue(value)] as const)
    .filter(([, value]) => value !== '')
    .map(([tag, value]) => `${tag}  - ${value}`);
  return `${[...body, 'ER  - '].join('\r\n')}\r\n`;
}
