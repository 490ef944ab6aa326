/**
 * JATS 1.3 (ANSI/NISO Z39.96-2021), Journal Publishing tag set, for one article: front matter in full and
 * the references in back/ref-list (the full text stays on the article page).
 *
 * Element order follows the Journal Publishing 1.3 DTD content models:
 * - article: front, body?, back?
 * - journal-meta: journal-id+, journal-title-group*, issn+, publisher?
 * - article-meta: article-id*, article-categories?, title-group, (contrib-group | aff)*, author-notes?,
 *   pub-date+, volume?, issue?, elocation-id, history?, permissions?, self-uri*, related-article*,
 *   abstract*, trans-abstract*, kwd-group*, funding-group*
 * - title-group: article-title, subtitle*, trans-title-group*
 * - name: surname, given-names?; dates: day?, month?, year
 * Related-article types for translations follow Crossref's relation names (the attribute is free text in
 * JATS): "translation-of" on a translation pointing to its original, "translation" on an original pointing
 * to each translation.
 */
import { orcidUrl } from '../orcid.ts';
import { ABSTRACT_SECTIONS, ARTICLE_TYPE_LABELS, affiliationsOf, countryName, dateParts } from './common.ts';
import type { ArticleMetadata, ArticlePerson, ArticleType, JournalInfo } from './types.ts';
import { el, elIf, oneLine, raw, type Xml, xmlDocument } from './xml.ts';

export const JATS_DOCTYPE = raw(
  '<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Publishing DTD v1.3 20210610//EN" ' +
    '"https://jats.nlm.nih.gov/publishing/1.3/JATS-journalpublishing1-3.dtd">',
);
export const XLINK_NS = 'http://www.w3.org/1999/xlink';
export const MML_NS = 'http://www.w3.org/1998/Math/MathML';

/** JATS article-type values (the Tag Library's suggested list). */
const JATS_ARTICLE_TYPE: Record<ArticleType, string> = {
  'original-research': 'research-article',
  'case-series': 'case-report',
  review: 'review-article',
  'short-communication': 'brief-report',
  letter: 'letter',
  translation: 'research-article',
};

function jatsDate(tag: 'pub-date' | 'date', attrs: Record<string, string>, iso: string): Xml {
  const { year, month, day } = dateParts(iso);
  return el(
    tag,
    { ...attrs, 'iso-8601-date': iso },
    el('day', null, String(day).padStart(2, '0')),
    el('month', null, String(month).padStart(2, '0')),
    el('year', null, String(year)),
  );
}

function contrib(person: ArticlePerson, type: 'author' | 'translator', affIds: Map<string, string>): Xml {
  const affKey = person.affiliation ? `${oneLine(person.affiliation)}\u0000${person.country ?? ''}` : undefined;
  const rid = affKey ? affIds.get(affKey) : undefined;
  return el(
    'contrib',
    { 'contrib-type': type },
    person.orcid
      ? el('contrib-id', { 'contrib-id-type': 'orcid', authenticated: 'false' }, orcidUrl(person.orcid))
      : null,
    el(
      'name',
      { 'name-style': 'western' },
      el('surname', null, oneLine(person.surname)),
      elIf('given-names', null, person.givenNames),
    ),
    rid ? el('xref', { 'ref-type': 'aff', rid }) : null,
  );
}

/** The JATS XML document for one article. */
export function jatsArticle(article: ArticleMetadata, journal: JournalInfo): string {
  const people = [...article.authors, ...article.translators];
  const affs = affiliationsOf(people);
  const affIds = new Map(affs.map((a, i) => [`${a.text}\u0000${a.country ?? ''}`, `aff${i + 1}`]));

  const journalMeta = el(
    'journal-meta',
    null,
    el('journal-id', { 'journal-id-type': 'publisher-id' }, oneLine(journal.abbreviation)),
    el(
      'journal-title-group',
      null,
      el('journal-title', null, oneLine(journal.title)),
      el('abbrev-journal-title', { 'abbrev-type': 'publisher' }, oneLine(journal.abbreviation)),
    ),
    // Journal Publishing requires issn+; a journal still waiting for its ISSN gets an empty element, marked.
    journal.issn
      ? el('issn', { 'publication-format': 'electronic' }, journal.issn)
      : [raw('<!-- No ISSN has been assigned yet. -->'), el('issn', { 'publication-format': 'electronic' })],
    el('publisher', null, el('publisher-name', null, oneLine(journal.publisher))),
  );

  const original = article.original;
  const titleGroup = el(
    'title-group',
    null,
    el('article-title', null, oneLine(article.title)),
    original
      ? el(
          'trans-title-group',
          { 'xml:lang': original.title.language },
          el('trans-title', null, oneLine(original.title.text)),
        )
      : null,
  );

  const authorNotes = el(
    'author-notes',
    null,
    el('fn', { 'fn-type': 'coi-statement' }, el('p', null, oneLine(article.competingInterests) || 'None declared.')),
  );

  const history = el(
    'history',
    null,
    jatsDate('date', { 'date-type': 'received' }, article.receivedOn),
    article.revisedOn ? jatsDate('date', { 'date-type': 'rev-recd' }, article.revisedOn) : null,
    jatsDate('date', { 'date-type': 'accepted' }, article.acceptedOn),
  );

  const year = dateParts(article.publishedOn).year;
  const permissions = el(
    'permissions',
    null,
    el('copyright-statement', null, `© ${year} The authors`),
    el('copyright-year', null, String(year)),
    el(
      'license',
      { 'xlink:href': article.licenceUrl },
      el(
        'license-p',
        null,
        'This article is distributed under the licence at ',
        el('ext-link', { 'ext-link-type': 'uri', 'xlink:href': article.licenceUrl }, article.licenceUrl),
        '.',
      ),
    ),
  );

  const related: Xml[] = [];
  if (original) {
    related.push(
      el(
        'related-article',
        {
          'related-article-type': 'translation-of',
          'ext-link-type': original.doi ? 'doi' : original.url ? 'uri' : null,
          'xlink:href': original.doi ?? original.url ?? null,
          'xml:lang': original.title.language,
        },
        oneLine(original.citation),
      ),
    );
  }
  for (const doi of article.translationDois) {
    related.push(
      el('related-article', { 'related-article-type': 'translation', 'ext-link-type': 'doi', 'xlink:href': doi }),
    );
  }
  for (const notice of article.notices) {
    related.push(
      el(
        'related-article',
        {
          'related-article-type': notice.kind === 'retraction' ? 'retraction-forward' : 'correction-forward',
          'ext-link-type': notice.doi ? 'doi' : null,
          'xlink:href': notice.doi ?? null,
        },
        oneLine(
          `${notice.kind === 'retraction' ? 'Retraction' : 'Correction'} (${notice.publishedOn}): ${notice.text}`,
        ),
      ),
    );
  }

  const abstract = el(
    'abstract',
    null,
    ABSTRACT_SECTIONS.map(({ key, heading }) => {
      const text = oneLine(article.abstract[key]);
      return text === '' ? null : el('sec', null, el('title', null, heading), el('p', null, text));
    }),
  );
  const transAbstract = original?.abstract
    ? el('trans-abstract', { 'xml:lang': original.abstract.language }, el('p', null, oneLine(original.abstract.text)))
    : null;
  const keywords = article.keywords.map(oneLine).filter((k) => k !== '');
  const kwdGroup =
    keywords.length > 0
      ? el(
          'kwd-group',
          { 'kwd-group-type': 'author', 'xml:lang': article.language },
          keywords.map((k) => el('kwd', null, k)),
        )
      : null;
  const funding = oneLine(article.funding);

  const articleMeta = el(
    'article-meta',
    null,
    el('article-id', { 'pub-id-type': 'doi' }, article.doi),
    el('article-id', { 'pub-id-type': 'publisher-id' }, article.id),
    el(
      'article-categories',
      null,
      el('subj-group', { 'subj-group-type': 'heading' }, el('subject', null, ARTICLE_TYPE_LABELS[article.type])),
    ),
    titleGroup,
    el(
      'contrib-group',
      { 'content-type': 'authors' },
      article.authors.map((p) => contrib(p, 'author', affIds)),
    ),
    article.translators.length > 0
      ? el(
          'contrib-group',
          { 'content-type': 'translators' },
          article.translators.map((p) => contrib(p, 'translator', affIds)),
        )
      : null,
    affs.map((a, i) =>
      el(
        'aff',
        { id: `aff${i + 1}` },
        el('institution', null, a.text),
        a.country ? [', ', el('country', { country: a.country.toUpperCase() }, countryName(a.country))] : null,
      ),
    ),
    authorNotes,
    jatsDate('pub-date', { 'publication-format': 'electronic', 'date-type': 'pub' }, article.publishedOn),
    article.issue ? el('volume', null, String(article.issue.volume)) : null,
    article.issue ? el('issue', null, String(article.issue.number)) : null,
    el('elocation-id', null, oneLine(article.articleNumber)),
    history,
    permissions,
    el('self-uri', { 'xlink:href': article.url, 'content-type': 'html' }),
    article.pdfUrl ? el('self-uri', { 'xlink:href': article.pdfUrl, 'content-type': 'pdf' }) : null,
    related,
    abstract,
    transAbstract,
    kwdGroup,
    funding === '' ? null : el('funding-group', null, el('funding-statement', null, funding)),
  );

  const references = article.references.map(oneLine).filter((r) => r !== '');
  const back =
    references.length > 0
      ? el(
          'back',
          null,
          el(
            'ref-list',
            null,
            el('title', null, 'References'),
            references.map((r, i) =>
              el('ref', { id: `r${i + 1}` }, el('label', null, String(i + 1)), el('mixed-citation', null, r)),
            ),
          ),
        )
      : null;

  const root = el(
    'article',
    {
      'xmlns:xlink': XLINK_NS,
      'xmlns:mml': MML_NS,
      'dtd-version': '1.3',
      'article-type': JATS_ARTICLE_TYPE[article.type],
      'xml:lang': article.language,
    },
    el('front', null, journalMeta, articleMeta),
    back,
  );
  return xmlDocument(root, JATS_DOCTYPE);
}
