/**
 * An Atom 1.0 feed of the latest articles (RFC 4287). The feed has exactly one id, title and updated
 * (section 4.1.1), an author (required unless every entry has one; the journal's publisher here), a
 * rel="self" link and a rel="alternate" link; each entry has id, title and updated, a rel="alternate" link
 * (there is no content element, section 4.1.2), a summary, its authors and its publication date.
 * Dates are RFC 3339 date-times (section 3.3). Entry ids are the DOIs' resolver URLs, which never change.
 */
import { ARTICLE_TYPE_LABELS, abstractAsText, displayName, doiUrl } from './common.ts';
import type { ArticleMetadata, JournalInfo } from './types.ts';
import { el, oneLine, xmlDocument } from './xml.ts';

export const ATOM_NS = 'http://www.w3.org/2005/Atom';
export const ATOM_CONTENT_TYPE = 'application/atom+xml; charset=utf-8';

export interface FeedOptions {
  /** Absolute URL of the feed itself (rel="self"). */
  selfUrl: string;
  /** Absolute URL of the page listing the articles (rel="alternate"). */
  pageUrl: string;
  /** When the list is empty, the feed's updated date (epoch ms); defaults to the epoch. */
  emptyUpdatedAt?: number;
}

/** RFC 3339 at whole seconds in UTC. */
export const rfc3339 = (epochMs: number): string =>
  new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');

const publishedAt = (article: ArticleMetadata): string => `${article.publishedOn}T00:00:00Z`;

function entry(article: ArticleMetadata): ReturnType<typeof el> {
  const title = article.retracted ? `Retracted: ${oneLine(article.title)}` : oneLine(article.title);
  return el(
    'entry',
    null,
    el('id', null, doiUrl(article.doi)),
    el('title', { type: 'text' }, title),
    el('updated', null, rfc3339(Math.max(article.updatedAt, Date.parse(publishedAt(article))))),
    el('published', null, publishedAt(article)),
    article.authors.map((a) =>
      el(
        'author',
        null,
        el('name', null, displayName(a)),
        a.orcid ? el('uri', null, `https://orcid.org/${a.orcid}`) : null,
      ),
    ),
    el('link', { rel: 'alternate', type: 'text/html', href: article.url }),
    article.pdfUrl ? el('link', { rel: 'enclosure', type: 'application/pdf', href: article.pdfUrl }) : null,
    el('category', { term: article.type, label: ARTICLE_TYPE_LABELS[article.type] }),
    el('summary', { type: 'text' }, abstractAsText(article.abstract)),
  );
}

/** The feed document. Articles are listed in the order given (newest first, as the caller selects them). */
export function atomFeed(articles: ArticleMetadata[], journal: JournalInfo, options: FeedOptions): string {
  const updated = articles.reduce(
    (latest, a) => Math.max(latest, a.updatedAt, Date.parse(publishedAt(a))),
    options.emptyUpdatedAt ?? 0,
  );
  const feed = el(
    'feed',
    { xmlns: ATOM_NS, 'xml:lang': 'en' },
    el('id', null, options.selfUrl),
    el('title', { type: 'text' }, oneLine(journal.title)),
    el('subtitle', { type: 'text' }, `Latest articles from ${oneLine(journal.title)}`),
    el('updated', null, rfc3339(updated)),
    el('author', null, el('name', null, oneLine(journal.publisher)), el('uri', null, journal.origin)),
    el('link', { rel: 'self', type: 'application/atom+xml', href: options.selfUrl }),
    el('link', { rel: 'alternate', type: 'text/html', href: options.pageUrl }),
    el('generator', null, 'IECPA portal'),
    journal.issn ? el('rights', null, `ISSN ${journal.issn}`) : null,
    articles.map(entry),
  );
  return xmlDocument(feed);
}
