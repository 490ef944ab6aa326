/**
 * A Crossref deposit (schema 5.3.1, crossref5.3.1.xsd) for one article or for an issue's articles. Nothing
 * is sent: the editors download it (or a later job posts it). Content models followed:
 * - doi_batch (version="5.3.1"): head, body
 * - head: doi_batch_id, timestamp, depositor (depositor_name, email_address), registrant
 * - journal: journal_metadata, journal_issue?, journal_article*
 * - journal_metadata: full_title+, abbrev_title*, issn*, coden?, archive_locations?, doi_data? (Crossref
 *   requires an ISSN or a title-level DOI; we send the ISSN when the journal has one, else its DOI)
 * - journal_issue: contributors?, titles?, publication_date+, journal_volume?, issue?, ..., doi_data?
 * - journal_article (publication_type="full_text", language): titles, contributors?, jats:abstract*,
 *   publication_date+, acceptance_date?, pages?, publisher_item?, crossmark?, fr:program?, ai:program?,
 *   ct:program?, rel:program?, archive_locations?, scn_policies?, doi_data, citation_list?, component_list?
 * - titles: title, subtitle*, original_language_title (language attr), subtitle*
 * - person_name (sequence first|additional, contributor_role author|translator|...): given_name?, surname,
 *   suffix?, affiliations?, ORCID?
 * - publication_date (media_type): month?, day?, year
 * - rel:program (relations.xsd): related_item/intra_work_relation with relationship-type isTranslationOf or
 *   hasTranslation and identifier-type doi
 * - ai:program (AccessIndicators.xsd): license_ref
 * Timestamps are the deposit's version numbers (Crossref takes a larger one as a newer deposit): here
 * yyyyMMddHHmmss of the time the XML is made.
 */
import { orcidUrl } from '../orcid.ts';
import { ABSTRACT_SECTIONS, dateParts } from './common.ts';
import type { ArticleIssue, ArticleMetadata, ArticlePerson, JournalInfo } from './types.ts';
import { el, oneLine, type Xml, xmlDocument } from './xml.ts';

export const CROSSREF_SCHEMA_VERSION = '5.3.1';
export const CROSSREF_NS = 'http://www.crossref.org/schema/5.3.1';
export const CROSSREF_SCHEMA_LOCATION = `${CROSSREF_NS} https://www.crossref.org/schemas/crossref5.3.1.xsd`;
export const JATS_CROSSREF_NS = 'http://www.ncbi.nlm.nih.gov/JATS1';
export const RELATIONS_NS = 'http://www.crossref.org/relations.xsd';
export const ACCESS_INDICATORS_NS = 'http://www.crossref.org/AccessIndicators.xsd';

export interface CrossrefDepositor {
  name: string;
  email: string;
  /** The organisation that owns the DOIs (shown in Crossref's reports). */
  registrant: string;
}

export interface CrossrefOptions {
  depositor: CrossrefDepositor;
  /** When the XML is made (epoch ms): the batch timestamp and id. */
  now: number;
  /** Title-level DOI, used when the journal has no ISSN; default `<prefix>/journal`. */
  journalDoi?: string;
}

export class CrossrefInputError extends Error {}

/**
 * yyyyMMddHHmmss in UTC: a 14-digit number that grows with time (common5.3.1.xsd types timestamp as
 * xsd:nonNegativeInteger; 14 digits also stay exact as a JavaScript number).
 */
export function crossrefTimestamp(epochMs: number): string {
  const d = new Date(epochMs);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

function publicationDate(iso: string): Xml {
  const { year, month, day } = dateParts(iso);
  return el(
    'publication_date',
    { media_type: 'online' },
    el('month', null, String(month).padStart(2, '0')),
    el('day', null, String(day).padStart(2, '0')),
    el('year', null, String(year)),
  );
}

/** common5.3.1.xsd's pattern for given_name and surname (no "?", no digits on both sides of a space). */
const NAME_PART_RE = /^[^\d?]*[^?\s]+[^\d]*$/;

/** A name part as common5.3.1.xsd allows it (1-60 characters, the pattern above), or a clear error. */
function namePart(text: string, role: string): string {
  const value = oneLine(text);
  if (value === '') return value;
  check(
    [...value].length <= 60,
    `A ${role}'s name part is longer than Crossref's 60 characters: "${value.slice(0, 60)}…".`,
  );
  check(NAME_PART_RE.test(value), `A ${role}'s name "${value}" has characters Crossref does not accept in names.`);
  return value;
}

/** ISO 639-1 language attribute (the schema's language.atts list), or nothing for other tags. */
function languageAttr(tag: string): string | null {
  const primary = tag.split('-')[0]?.toLowerCase() ?? '';
  return /^[a-z]{2}$/.test(primary) ? primary : null;
}

const DOI_RE = /^10\.[0-9]{4,9}\/\S{1,200}$/;
const HTTP_URL_RE = /^https?:\/\/\S+$/i;

function check(condition: boolean, message: string): void {
  if (!condition) throw new CrossrefInputError(message);
}

function personName(person: ArticlePerson, sequence: 'first' | 'additional', role: 'author' | 'translator'): Xml {
  const given = namePart(person.givenNames, role);
  const surname = namePart(person.surname, role);
  check(surname !== '', `A ${role} has no surname (Crossref requires one).`);
  const affiliation = person.affiliation ? [...oneLine(person.affiliation)].slice(0, 1024).join('') : '';
  return el(
    'person_name',
    { sequence, contributor_role: role },
    given === '' ? null : el('given_name', null, given),
    el('surname', null, surname),
    affiliation === ''
      ? null
      : el('affiliations', null, el('institution', null, el('institution_name', null, affiliation))),
    person.orcid ? el('ORCID', { authenticated: 'false' }, orcidUrl(person.orcid)) : null,
  );
}

function journalMetadata(journal: JournalInfo, options: CrossrefOptions): Xml {
  // crossref5.3.1.xsd: full_title 1-255 characters, abbrev_title 1-150; issn_t \d{4}-?\d{3}[\dX].
  const title = oneLine(journal.title);
  const abbreviation = oneLine(journal.abbreviation);
  check(title.length >= 1 && title.length <= 255, 'The journal title must be 1-255 characters.');
  check(abbreviation.length >= 1 && abbreviation.length <= 150, 'The journal abbreviation must be 1-150 characters.');
  check(journal.issn === undefined || /^\d{4}-?\d{3}[\dX]$/.test(journal.issn), `"${journal.issn}" is not an ISSN.`);
  return el(
    'journal_metadata',
    { language: 'en' },
    el('full_title', null, title),
    el('abbrev_title', null, abbreviation),
    journal.issn
      ? el('issn', { media_type: 'electronic' }, journal.issn)
      : el(
          'doi_data',
          null,
          el('doi', null, options.journalDoi ?? `${journal.doiPrefix}/journal`),
          el('resource', null, `${journal.origin}/journal`),
        ),
  );
}

function journalIssue(issue: ArticleIssue, publishedOn: string | undefined): Xml {
  return el(
    'journal_issue',
    null,
    // An issue's date is that of its first article when it has one, else just its year.
    publishedOn
      ? publicationDate(publishedOn)
      : el('publication_date', { media_type: 'online' }, el('year', null, String(issue.year))),
    el('journal_volume', null, el('volume', null, String(issue.volume))),
    el('issue', null, String(issue.number)),
  );
}

function journalArticle(article: ArticleMetadata, journal: JournalInfo, timestamp: string): Xml {
  if (article.authors.length === 0) throw new CrossrefInputError(`Article ${article.id} has no authors.`);
  if (!article.doi.startsWith(`${journal.doiPrefix}/`)) {
    throw new CrossrefInputError(
      `Article ${article.id}: DOI ${article.doi} is not under the prefix ${journal.doiPrefix}.`,
    );
  }
  check(DOI_RE.test(article.doi), `Article ${article.id}: "${article.doi}" is not a DOI.`);
  check(HTTP_URL_RE.test(article.url), `Article ${article.id}: the landing page must be an http(s) URL.`);
  const itemNumber = oneLine(article.articleNumber);
  check(
    itemNumber.length >= 1 && itemNumber.length <= 32,
    `Article ${article.id}: the article number must be 1-32 characters.`,
  );
  const original = article.original;
  const contributors = [
    ...article.authors.map((p, i) => personName(p, i === 0 ? 'first' : 'additional', 'author')),
    ...article.translators.map((p) => personName(p, 'additional', 'translator')),
  ];
  const relations: Xml[] = [];
  // The original is named by its DOI, or by its URL when it has none (relations.xsd identifier-type uri).
  const originalId = original?.doi
    ? { type: 'doi', value: original.doi }
    : original?.url
      ? { type: 'uri', value: original.url }
      : null;
  if (originalId) {
    relations.push(
      el(
        'rel:related_item',
        null,
        el(
          'rel:intra_work_relation',
          { 'relationship-type': 'isTranslationOf', 'identifier-type': originalId.type },
          originalId.value,
        ),
      ),
    );
  }
  for (const doi of article.translationDois) {
    relations.push(
      el(
        'rel:related_item',
        null,
        el('rel:intra_work_relation', { 'relationship-type': 'hasTranslation', 'identifier-type': 'doi' }, doi),
      ),
    );
  }
  const references = article.references.map(oneLine).filter((r) => r !== '');
  return el(
    'journal_article',
    { publication_type: 'full_text', language: languageAttr(article.language) },
    el(
      'titles',
      null,
      el('title', null, oneLine(article.title)),
      original
        ? el(
            'original_language_title',
            { language: languageAttr(original.title.language) },
            oneLine(original.title.text),
          )
        : null,
    ),
    el('contributors', null, contributors),
    el(
      'jats:abstract',
      { 'xml:lang': article.language },
      ABSTRACT_SECTIONS.map(({ key, heading }) => {
        const text = oneLine(article.abstract[key]);
        return text === '' ? null : el('jats:sec', null, el('jats:title', null, heading), el('jats:p', null, text));
      }),
    ),
    publicationDate(article.publishedOn),
    (() => {
      const { year, month, day } = dateParts(article.acceptedOn);
      return el(
        'acceptance_date',
        null,
        el('month', null, String(month).padStart(2, '0')),
        el('day', null, String(day).padStart(2, '0')),
        el('year', null, String(year)),
      );
    })(),
    el('publisher_item', null, el('item_number', { item_number_type: 'article_number' }, itemNumber)),
    el('ai:program', { name: 'AccessIndicators' }, el('ai:license_ref', { applies_to: 'vor' }, article.licenceUrl)),
    relations.length > 0 ? el('rel:program', { name: 'relations' }, relations) : null,
    el(
      'doi_data',
      null,
      el('doi', null, article.doi),
      el('timestamp', null, timestamp),
      el('resource', null, article.url),
    ),
    references.length > 0
      ? el(
          'citation_list',
          null,
          references.map((r, i) => el('citation', { key: `ref${i + 1}` }, el('unstructured_citation', null, r))),
        )
      : null,
  );
}

function doiBatch(journalElements: Xml[], options: CrossrefOptions, batchId: string): string {
  const { depositor } = options;
  // Lengths from common5.3.1.xsd (depositor_name 1-130, email_address 6-200, registrant 1-255).
  for (const [field, value, min, max] of [
    ['depositor name', depositor.name, 1, 130],
    ['depositor email', depositor.email, 6, 200],
    ['registrant', depositor.registrant, 1, 255],
  ] as const) {
    const length = oneLine(value).length;
    if (length === 0) throw new CrossrefInputError(`The Crossref ${field} is empty.`);
    check(length >= min && length <= max, `The Crossref ${field} must be ${min}-${max} characters.`);
  }
  const root = el(
    'doi_batch',
    {
      xmlns: CROSSREF_NS,
      'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
      'xmlns:jats': JATS_CROSSREF_NS,
      'xmlns:rel': RELATIONS_NS,
      'xmlns:ai': ACCESS_INDICATORS_NS,
      version: CROSSREF_SCHEMA_VERSION,
      'xsi:schemaLocation': CROSSREF_SCHEMA_LOCATION,
    },
    el(
      'head',
      null,
      el('doi_batch_id', null, batchId),
      el('timestamp', null, crossrefTimestamp(options.now)),
      el(
        'depositor',
        null,
        el('depositor_name', null, oneLine(depositor.name)),
        el('email_address', null, oneLine(depositor.email)),
      ),
      el('registrant', null, oneLine(depositor.registrant)),
    ),
    el('body', null, journalElements),
  );
  return xmlDocument(root);
}

const batchIdFor = (what: string, now: number): string =>
  `iecpa-${what}-${crossrefTimestamp(now)}`.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 64);

/** The deposit for one article (with its issue when it is in one). */
export function crossrefArticleDeposit(
  article: ArticleMetadata,
  journal: JournalInfo,
  options: CrossrefOptions,
): string {
  const timestamp = crossrefTimestamp(options.now);
  const journalElement = el(
    'journal',
    null,
    journalMetadata(journal, options),
    article.issue ? journalIssue(article.issue, article.publishedOn) : null,
    journalArticle(article, journal, timestamp),
  );
  return doiBatch([journalElement], options, batchIdFor(article.id, options.now));
}

/** The deposit for an issue: one journal element with the issue and all its articles. */
export function crossrefIssueDeposit(
  issue: ArticleIssue,
  articles: ArticleMetadata[],
  journal: JournalInfo,
  options: CrossrefOptions,
): string {
  if (articles.length === 0) throw new CrossrefInputError('An issue deposit needs at least one article.');
  for (const a of articles) {
    if (!a.issue || a.issue.volume !== issue.volume || a.issue.number !== issue.number) {
      throw new CrossrefInputError(`Article ${a.id} is not in volume ${issue.volume} issue ${issue.number}.`);
    }
  }
  const timestamp = crossrefTimestamp(options.now);
  const first = [...articles].sort((a, b) => a.publishedOn.localeCompare(b.publishedOn))[0];
  const journalElement = el(
    'journal',
    null,
    journalMetadata(journal, options),
    journalIssue(issue, first?.publishedOn),
    articles.map((a) => journalArticle(a, journal, timestamp)),
  );
  return doiBatch([journalElement], options, batchIdFor(`v${issue.volume}n${issue.number}`, options.now));
}
