/**
 * What several metadata formats derive the same way from an article: type labels, date parts, the DOI URL,
 * the abstract as sections, language and country names (the ORCID URL is src/lib/orcid.ts's orcidUrl).
 */
import type { ArticleMetadata, ArticlePerson, ArticleType, StructuredAbstract } from './types.ts';
import { oneLine } from './xml.ts';

export const ARTICLE_TYPE_LABELS: Record<ArticleType, string> = {
  'original-research': 'Original research',
  'case-series': 'Case series',
  review: 'Review',
  'short-communication': 'Short communication',
  letter: 'Letter',
  translation: 'Translation',
};

export const ARTICLE_TYPES = Object.keys(ARTICLE_TYPE_LABELS) as ArticleType[];

export function isArticleType(value: string): value is ArticleType {
  return Object.hasOwn(ARTICLE_TYPE_LABELS, value);
}

/** The abstract's sections in order, with their headings. */
export const ABSTRACT_SECTIONS: ReadonlyArray<{ key: keyof StructuredAbstract; heading: string }> = [
  { key: 'background', heading: 'Background' },
  { key: 'methods', heading: 'Methods' },
  { key: 'results', heading: 'Results' },
  { key: 'conclusions', heading: 'Conclusions' },
];

/** "Background: … Methods: …" on one line, for formats that take the abstract as plain text. */
export function abstractAsText(abstract: StructuredAbstract): string {
  return ABSTRACT_SECTIONS.map(({ key, heading }) => ({ heading, text: oneLine(abstract[key]) }))
    .filter(({ text }) => text !== '')
    .map(({ heading, text }) => `${heading}: ${text}`)
    .join(' ');
}

export interface DateParts {
  year: number;
  month: number;
  day: number;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parts of a YYYY-MM-DD date; throws on anything else (the services hand over validated dates). */
export function dateParts(date: string): DateParts {
  const match = ISO_DATE.exec(date);
  if (!match) throw new Error(`Not a YYYY-MM-DD date: ${JSON.stringify(date)}`);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    throw new Error(`Not a calendar date: ${JSON.stringify(date)}`);
  }
  return { year, month, day };
}

export const pad2 = (n: number): string => String(n).padStart(2, '0');

/** The DOI as a resolver URL (Crossref's display guidelines: https://doi.org/…). */
export function doiUrl(doi: string): string {
  return `https://doi.org/${doi}`;
}

/** "Given Surname". */
export function displayName(person: ArticlePerson): string {
  return oneLine(`${person.givenNames} ${person.surname}`);
}

const LANGUAGE_NAMES = new Intl.DisplayNames(['en'], { type: 'language' });
const REGION_NAMES = new Intl.DisplayNames(['en'], { type: 'region' });

/** "Chinese" for zh; the tag itself when ICU does not know it. */
export function languageName(tag: string): string {
  try {
    return LANGUAGE_NAMES.of(tag) ?? tag;
  } catch {
    return tag;
  }
}

/** "China" for CN; the code itself when ICU does not know it. */
export function countryName(code: string): string {
  try {
    return REGION_NAMES.of(code.toUpperCase()) ?? code;
  } catch {
    return code;
  }
}

/** The distinct affiliations of the authors (and translators), in first-mention order. */
export function affiliationsOf(people: ArticlePerson[]): Array<{ text: string; country?: string }> {
  const seen = new Map<string, { text: string; country?: string }>();
  for (const person of people) {
    if (!person.affiliation) continue;
    const text = oneLine(person.affiliation);
    if (text === '') continue;
    const key = `${text}\u0000${person.country ?? ''}`;
    if (!seen.has(key)) seen.set(key, { text, country: person.country });
  }
  return [...seen.values()];
}

/** The article's year of publication. */
export function publicationYear(article: ArticleMetadata): number {
  return dateParts(article.publishedOn).year;
}
