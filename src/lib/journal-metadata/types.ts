/**
 * What the journal's metadata formats (citation meta tags, Vancouver/APA/BibTeX/RIS, the feed, JATS, the
 * Crossref deposit, OAI-PMH's Dublin Core) know about a published article. The journal services map their
 * rows to this shape; the format modules beside this file read nothing else, so they are pure and tested on
 * fixtures.
 */

export type ArticleType =
  | 'original-research'
  | 'case-series'
  | 'review'
  | 'short-communication'
  | 'letter'
  | 'translation';

export interface ArticlePerson {
  givenNames: string;
  surname: string;
  /** Bare iD, e.g. 0000-0002-1825-0097 (already checksum-validated). */
  orcid?: string;
  affiliation?: string;
  /** ISO 3166-1 alpha-2, e.g. CN. */
  country?: string;
}

export interface StructuredAbstract {
  background: string;
  methods: string;
  results: string;
  conclusions: string;
}

/** Text in a language other than the article's, kept in that language (BCP 47 tag). */
export interface TextInLanguage {
  text: string;
  language: string;
}

export interface JournalInfo {
  title: string;
  abbreviation: string;
  publisher: string;
  /** Online ISSN when the journal has one. */
  issn?: string;
  /** e.g. 10.5555 */
  doiPrefix: string;
  /** Absolute origin of the portal, e.g. https://portal.iecpa.org */
  origin: string;
}

export interface ArticleIssue {
  volume: number;
  number: number;
  year: number;
}

export interface ArticleNotice {
  kind: 'correction' | 'retraction';
  publishedOn: string;
  text: string;
  doi?: string;
}

export interface ArticleMetadata {
  /** Stable local identifier (also the OAI identifier's local part). */
  id: string;
  doi: string;
  /** Absolute landing-page URL. */
  url: string;
  /** Absolute PDF URL, when a PDF exists. */
  pdfUrl?: string;
  type: ArticleType;
  title: string;
  /** BCP 47 language of this article's text, e.g. en. */
  language: string;
  abstract: StructuredAbstract;
  keywords: string[];
  authors: ArticlePerson[];
  translators: ArticlePerson[];
  /** Dates as YYYY-MM-DD. */
  receivedOn: string;
  revisedOn?: string;
  acceptedOn: string;
  publishedOn: string;
  /** Epoch ms of the last change to the record (OAI-PMH datestamp). */
  updatedAt: number;
  /** Electronic article number, e.g. e2026001 (continuous publication has no pages). */
  articleNumber: string;
  issue?: ArticleIssue;
  /** Licence URL, e.g. https://creativecommons.org/licenses/by/4.0/ */
  licenceUrl: string;
  competingInterests: string;
  funding: string;
  references: string[];
  /** For a translation: the original's title and abstract in its language, and how to cite it. */
  original?: {
    title: TextInLanguage;
    abstract?: TextInLanguage;
    citation: string;
    doi?: string;
    url?: string;
  };
  /** DOIs of this article's translations. */
  translationDois: string[];
  retracted: boolean;
  notices: ArticleNotice[];
}
