/**
 * An OAI-PMH 2.0 repository (The Open Archives Initiative Protocol for Metadata Harvesting, version 2.0,
 * 2002-06-14, updated 2015-01-08) over the journal's published articles, with unqualified Dublin Core
 * (oai_dc). Pure: the route passes the query (GET) or form body (POST) and an `OaiSource`; the answer is
 * always a complete response document.
 *
 * Decisions, with the sections of the specification they follow:
 * - Datestamps at seconds granularity, "YYYY-MM-DDThh:mm:ssZ" (3.3.2; Identify says so); from/until accept
 *   both granularities, must share one, and from must not be after until (3.3.1, badArgument otherwise).
 *   until is inclusive: a day-granularity until covers that whole day.
 * - deletedRecord "no" (2.5.1): articles are never removed; a retracted article stays a record, marked.
 * - Sets are article types ("original-research", "translation", ...) (2.7.1).
 * - Identifiers are oai:<host>:<id> (the oai-identifier scheme's syntax).
 * - Lists are paged by a cursor on (updatedAt, id), so a harvest is stable while records change and each
 *   page costs one indexed query. Resumption tokens (3.5) are opaque base64url JSON holding the verb, the
 *   original arguments, the cursor, the count returned so far and the complete list size; the last page of
 *   a resumed list carries an empty resumptionToken (3.5.1). Tokens never expire.
 * - Errors (3.6): badVerb (missing, repeated or unknown verb), badArgument (repeated, illegal, missing or
 *   malformed arguments, resumptionToken with other arguments), badResumptionToken, cannotDisseminateFormat,
 *   idDoesNotExist, noRecordsMatch; noSetHierarchy does not arise (the repository has sets). After badVerb
 *   or badArgument the request element carries no attributes (3.2).
 * - A failure of the source (the database) is not a protocol error: the answer is HTTP 503 with
 *   Retry-After, as 3.1.2.2 allows for a repository that cannot answer now.
 */
import { z } from 'zod';
import { ABSTRACT_SECTIONS, ARTICLE_TYPE_LABELS, ARTICLE_TYPES, dateParts, doiUrl, isArticleType } from './common.ts';
import type { ArticleMetadata, ArticleType, JournalInfo } from './types.ts';
import { el, oneLine, type Xml, xmlDocument } from './xml.ts';

export const OAI_NS = 'http://www.openarchives.org/OAI/2.0/';
export const OAI_SCHEMA_LOCATION = `${OAI_NS} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd`;
export const OAI_DC_NS = 'http://www.openarchives.org/OAI/2.0/oai_dc/';
export const OAI_DC_SCHEMA = 'http://www.openarchives.org/OAI/2.0/oai_dc.xsd';
export const DC_NS = 'http://purl.org/dc/elements/1.1/';
export const OAI_IDENTIFIER_NS = 'http://www.openarchives.org/OAI/2.0/oai-identifier';
export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
export const OAI_CONTENT_TYPE = 'text/xml; charset=utf-8';
export const OAI_GRANULARITY = 'YYYY-MM-DDThh:mm:ssZ';

/** Where a harvest has got to: the last record returned, in (updatedAt, id) order. */
export interface OaiCursor {
  updatedAt: number;
  id: string;
}

export interface OaiPageQuery {
  /** Inclusive lower bound on updatedAt (epoch ms). */
  from?: number;
  /** Inclusive upper bound on updatedAt (epoch ms). */
  until?: number;
  set?: ArticleType;
  /** Only records strictly after this one in (updatedAt, id) order. */
  after?: OaiCursor;
  limit: number;
}

/** What the OAI-PMH handler reads; the journal's services implement it over published articles. */
export interface OaiSource {
  /** The smallest updatedAt of any record (epoch ms); undefined when there are none. */
  earliestDatestamp(): Promise<number | undefined>;
  /** Up to `limit` records matching the query, ordered by (updatedAt, id) ascending (ids compared as strings). */
  page(query: OaiPageQuery): Promise<ArticleMetadata[]>;
  /** The record with this local id, or undefined. */
  get(id: string): Promise<ArticleMetadata | undefined>;
  /** How many records match (for completeListSize); leave out when counting is not cheap. */
  count?(query: Omit<OaiPageQuery, 'after' | 'limit'>): Promise<number>;
}

export interface OaiConfig {
  /** The endpoint's absolute URL, e.g. https://portal.iecpa.org/oai */
  baseUrl: string;
  repositoryName: string;
  adminEmails: string[];
  /** The identifiers' namespace part: oai:<host>:<id>. */
  host: string;
  journal: JournalInfo;
  /** Records (or headers) per response; default 100. */
  pageSize?: number;
  /** Clock for responseDate (epoch ms); default Date.now. */
  now?: () => number;
}

export interface OaiResponse {
  status: 200 | 503;
  /** The response document (for 503, a plain-text line; see headers' content-type). */
  xml: string;
  headers: Record<string, string>;
  /** The source's failure, for the route to log (status 503). */
  error?: unknown;
}

export type OaiErrorCode =
  | 'badArgument'
  | 'badResumptionToken'
  | 'badVerb'
  | 'cannotDisseminateFormat'
  | 'idDoesNotExist'
  | 'noMetadataFormats'
  | 'noRecordsMatch'
  | 'noSetHierarchy';

class OaiError extends Error {
  readonly code: OaiErrorCode;
  constructor(code: OaiErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

type Verb = 'Identify' | 'ListMetadataFormats' | 'ListSets' | 'GetRecord' | 'ListIdentifiers' | 'ListRecords';

/** Arguments per verb (section 4): required, optional, and the exclusive resumptionToken. */
const VERB_ARGUMENTS: Record<Verb, { required: string[]; optional: string[]; exclusive?: string }> = {
  Identify: { required: [], optional: [] },
  ListMetadataFormats: { required: [], optional: ['identifier'] },
  ListSets: { required: [], optional: [], exclusive: 'resumptionToken' },
  GetRecord: { required: ['identifier', 'metadataPrefix'], optional: [] },
  ListIdentifiers: { required: ['metadataPrefix'], optional: ['from', 'until', 'set'], exclusive: 'resumptionToken' },
  ListRecords: { required: ['metadataPrefix'], optional: ['from', 'until', 'set'], exclusive: 'resumptionToken' },
};

const isVerb = (v: string): v is Verb => Object.hasOwn(VERB_ARGUMENTS, v);

const DEFAULT_PAGE_SIZE = 100;
const SOURCE_RETRY_AFTER_S = 30;

// --- Dates ------------------------------------------------------------------------------------------------

/** A datestamp at the repository's granularity (whole seconds, UTC). */
export function oaiDatestamp(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

interface ParsedDate {
  granularity: 'day' | 'seconds';
  /** First and last millisecond the value covers. */
  start: number;
  end: number;
}

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const SECONDS_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

function parseOaiDate(value: string, name: string): ParsedDate {
  const day = DAY_RE.exec(value);
  const seconds = day ? null : SECONDS_RE.exec(value);
  const m = day ?? seconds;
  if (!m)
    throw new OaiError(
      'badArgument',
      `${name} must be YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ, not "${oneLine(value).slice(0, 40)}".`,
    );
  const [y, mo, d, h, mi, s] = m.slice(1).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = Date.UTC(y, mo - 1, d, h ?? 0, mi ?? 0, s ?? 0);
  const back = new Date(ms);
  if (
    back.getUTCFullYear() !== y ||
    back.getUTCMonth() !== mo - 1 ||
    back.getUTCDate() !== d ||
    back.getUTCHours() !== (h ?? 0) ||
    back.getUTCMinutes() !== (mi ?? 0) ||
    back.getUTCSeconds() !== (s ?? 0)
  ) {
    throw new OaiError('badArgument', `${name} is not a valid date or time: "${value}".`);
  }
  return day
    ? { granularity: 'day', start: ms, end: ms + 86_400_000 - 1 }
    : { granularity: 'seconds', start: ms, end: ms + 999 };
}

// --- Resumption tokens ------------------------------------------------------------------------------------

const TOKEN_SCHEMA = z.strictObject({
  v: z.literal(1),
  verb: z.enum(['ListIdentifiers', 'ListRecords']),
  p: z.literal('oai_dc'),
  f: z.number().int().optional(),
  u: z.number().int().optional(),
  s: z.enum(ARTICLE_TYPES as [ArticleType, ...ArticleType[]]).optional(),
  t: z.number().int(),
  i: z.string().min(1).max(200),
  c: z.number().int().min(1),
  n: z.number().int().min(1).optional(),
});
type TokenState = z.infer<typeof TOKEN_SCHEMA>;

function encodeToken(state: TokenState): string {
  return Buffer.from(JSON.stringify(state), 'utf8').toString('base64url');
}

function decodeToken(token: string, verb: Verb): TokenState {
  const bad = () => new OaiError('badResumptionToken', 'The resumptionToken is invalid.');
  if (!/^[A-Za-z0-9_-]{1,2000}$/.test(token)) throw bad();
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  const parsed = TOKEN_SCHEMA.safeParse(json);
  if (!parsed.success || parsed.data.verb !== verb) throw bad();
  return parsed.data;
}

// --- Requests ---------------------------------------------------------------------------------------------

type Params = URLSearchParams | Record<string, string[]>;

function collect(params: Params): Map<string, string[]> {
  const map = new Map<string, string[]>();
  const entries: Iterable<[string, string | string[]]> =
    params instanceof URLSearchParams ? params.entries() : Object.entries(params);
  for (const [key, value] of entries) {
    const values = Array.isArray(value) ? value : [value];
    map.set(key, [...(map.get(key) ?? []), ...values]);
  }
  return map;
}

interface Request {
  verb: Verb;
  args: Record<string, string>;
}

function parseRequest(params: Params): Request {
  const all = collect(params);
  const verbs = all.get('verb') ?? [];
  if (verbs.length === 0) throw new OaiError('badVerb', 'The verb argument is missing.');
  if (verbs.length > 1) throw new OaiError('badVerb', 'The verb argument is repeated.');
  const verb = verbs[0] ?? '';
  if (!isVerb(verb)) throw new OaiError('badVerb', `"${oneLine(verb).slice(0, 40)}" is not an OAI-PMH verb.`);
  const spec = VERB_ARGUMENTS[verb];
  const allowed = new Set([...spec.required, ...spec.optional, ...(spec.exclusive ? [spec.exclusive] : [])]);
  const args: Record<string, string> = {};
  for (const [key, values] of all) {
    if (key === 'verb') continue;
    if (!allowed.has(key))
      throw new OaiError('badArgument', `"${oneLine(key).slice(0, 40)}" is not an argument of ${verb}.`);
    if (values.length > 1) throw new OaiError('badArgument', `The argument ${key} is repeated.`);
    args[key] = values[0] ?? '';
  }
  if (spec.exclusive && spec.exclusive in args) {
    const others = Object.keys(args).filter((k) => k !== spec.exclusive);
    if (others.length > 0)
      throw new OaiError('badArgument', `${spec.exclusive} is an exclusive argument; remove ${others.join(', ')}.`);
    return { verb, args };
  }
  for (const key of spec.required) {
    if (!(key in args)) throw new OaiError('badArgument', `${verb} requires the argument ${key}.`);
  }
  for (const [key, value] of Object.entries(args)) {
    if (value === '') throw new OaiError('badArgument', `The argument ${key} is empty.`);
  }
  checkSyntax(args);
  return { verb, args };
}

/** OAI-PMH.xsd's patterns for metadataPrefixType and setSpecType. */
const METADATA_PREFIX_RE = /^[A-Za-z0-9\-_.!~*'()]+$/;
const SET_SPEC_RE = /^[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*$/;
/** A URI (identifierType is xs:anyURI): a scheme, a colon, and no character a URI may not hold. */
const URI_RE = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`]+$/;

/**
 * Every argument's syntax, before anything else is answered: the request element echoes the arguments,
 * and the schema types them, so a value that breaks its type is a badArgument (no attributes echoed).
 */
function checkSyntax(args: Record<string, string>): void {
  if (args.metadataPrefix !== undefined && !METADATA_PREFIX_RE.test(args.metadataPrefix)) {
    throw new OaiError('badArgument', 'metadataPrefix holds characters a metadata prefix may not have.');
  }
  if (args.set !== undefined && !SET_SPEC_RE.test(args.set)) {
    throw new OaiError('badArgument', 'set holds characters a setSpec may not have.');
  }
  if (args.identifier !== undefined && (!URI_RE.test(args.identifier) || args.identifier.length > 1000)) {
    throw new OaiError('badArgument', 'identifier is not a URI (oai:<host>:<id>).');
  }
  dateRange(args);
}

/** from and until as inclusive epoch-ms bounds, after the checks of section 3.3.1. */
function dateRange(args: Record<string, string>): { from?: number; until?: number } {
  const from = args.from === undefined ? undefined : parseOaiDate(args.from, 'from');
  const until = args.until === undefined ? undefined : parseOaiDate(args.until, 'until');
  if (from && until && from.granularity !== until.granularity) {
    throw new OaiError('badArgument', 'from and until must have the same granularity.');
  }
  if (from && until && from.start > until.start) throw new OaiError('badArgument', 'from is later than until.');
  return { from: from?.start, until: until?.end };
}

// --- Records ----------------------------------------------------------------------------------------------

export function oaiIdentifier(host: string, id: string): string {
  return `oai:${host}:${id}`;
}

function localId(identifier: string, host: string): string | undefined {
  const prefix = `oai:${host}:`;
  if (!identifier.startsWith(prefix)) return undefined;
  const id = identifier.slice(prefix.length);
  return id === '' ? undefined : id;
}

function header(article: ArticleMetadata, config: OaiConfig): Xml {
  return el(
    'header',
    null,
    el('identifier', null, oaiIdentifier(config.host, article.id)),
    el('datestamp', null, oaiDatestamp(article.updatedAt)),
    el('setSpec', null, article.type),
  );
}

/** The article as unqualified Dublin Core (oai_dc.xsd: any of the 15 elements, any number, any order). */
export function oaiDublinCore(article: ArticleMetadata, journal: JournalInfo): Xml {
  const dc = (name: string, text: string | undefined, lang?: string): Xml | null => {
    const value = text === undefined ? '' : oneLine(text);
    return value === '' ? null : el(`dc:${name}`, lang ? { 'xml:lang': lang } : null, value);
  };
  const abstract = ABSTRACT_SECTIONS.map(({ key, heading }) => ({ heading, text: oneLine(article.abstract[key]) }))
    .filter((s) => s.text !== '')
    .map((s) => `${s.heading}: ${s.text}`)
    .join(' ');
  const { year } = dateParts(article.publishedOn);
  const issue = article.issue
    ? `; Vol. ${article.issue.volume} No. ${article.issue.number} (${article.issue.year})`
    : '';
  const original = article.original;
  return el(
    'oai_dc:dc',
    {
      'xmlns:oai_dc': OAI_DC_NS,
      'xmlns:dc': DC_NS,
      'xmlns:xsi': XSI_NS,
      'xsi:schemaLocation': `${OAI_DC_NS} ${OAI_DC_SCHEMA}`,
    },
    dc('title', article.retracted ? `Retracted: ${article.title}` : article.title, article.language),
    original ? dc('title', original.title.text, original.title.language) : null,
    article.authors.map((a) => dc('creator', `${a.surname}, ${a.givenNames}`)),
    article.translators.map((t) => dc('contributor', `${t.surname}, ${t.givenNames}`)),
    article.keywords.map((k) => dc('subject', k, article.language)),
    dc('description', abstract, article.language),
    original?.abstract ? dc('description', original.abstract.text, original.abstract.language) : null,
    article.notices.map((n) =>
      dc('description', `${n.kind === 'retraction' ? 'Retraction' : 'Correction'} (${n.publishedOn}): ${n.text}`),
    ),
    dc('publisher', journal.publisher),
    dc('date', article.publishedOn),
    dc('type', 'Text'),
    dc('type', ARTICLE_TYPE_LABELS[article.type]),
    dc('format', 'text/html'),
    article.pdfUrl ? dc('format', 'application/pdf') : null,
    dc('identifier', doiUrl(article.doi)),
    dc('identifier', article.url),
    dc(
      'source',
      `${journal.title}${issue}: ${article.articleNumber}${article.issue ? '' : ` (${year})`}${journal.issn ? `; ISSN ${journal.issn}` : ''}`,
    ),
    dc('language', article.language),
    original ? dc('relation', original.doi ? doiUrl(original.doi) : (original.url ?? original.citation)) : null,
    article.translationDois.map((d) => dc('relation', doiUrl(d))),
    article.notices.map((n) => (n.doi ? dc('relation', doiUrl(n.doi)) : null)),
    dc('rights', article.licenceUrl),
  );
}

function record(article: ArticleMetadata, config: OaiConfig): Xml {
  return el('record', null, header(article, config), el('metadata', null, oaiDublinCore(article, config.journal)));
}

// --- Verbs ------------------------------------------------------------------------------------------------

const REPOSITORY_ID = /^[a-zA-Z][a-zA-Z0-9-]*(\.[a-zA-Z][a-zA-Z0-9-]*)+$/;

async function identify(source: OaiSource, config: OaiConfig, now: number): Promise<Xml> {
  const earliest = await source.earliestDatestamp();
  return el(
    'Identify',
    null,
    el('repositoryName', null, oneLine(config.repositoryName)),
    el('baseURL', null, config.baseUrl),
    el('protocolVersion', null, '2.0'),
    config.adminEmails.map((e) => el('adminEmail', null, e)),
    el('earliestDatestamp', null, oaiDatestamp(earliest ?? now)),
    el('deletedRecord', null, 'no'),
    el('granularity', null, OAI_GRANULARITY),
    REPOSITORY_ID.test(config.host)
      ? el(
          'description',
          null,
          el(
            'oai-identifier',
            {
              xmlns: OAI_IDENTIFIER_NS,
              'xmlns:xsi': XSI_NS,
              'xsi:schemaLocation': `${OAI_IDENTIFIER_NS} http://www.openarchives.org/OAI/2.0/oai-identifier.xsd`,
            },
            el('scheme', null, 'oai'),
            el('repositoryIdentifier', null, config.host),
            el('delimiter', null, ':'),
            el('sampleIdentifier', null, oaiIdentifier(config.host, 'a2026-0001')),
          ),
        )
      : null,
  );
}

const METADATA_FORMAT = el(
  'metadataFormat',
  null,
  el('metadataPrefix', null, 'oai_dc'),
  el('schema', null, OAI_DC_SCHEMA),
  el('metadataNamespace', null, OAI_DC_NS),
);

function checkPrefix(prefix: string): void {
  if (prefix !== 'oai_dc') {
    throw new OaiError(
      'cannotDisseminateFormat',
      `The metadata format "${oneLine(prefix).slice(0, 40)}" is not supported; use oai_dc.`,
    );
  }
}

async function findRecord(identifier: string, source: OaiSource, config: OaiConfig): Promise<ArticleMetadata> {
  const id = localId(identifier, config.host);
  const article = id === undefined ? undefined : await source.get(id);
  if (!article)
    throw new OaiError('idDoesNotExist', `No record has the identifier "${oneLine(identifier).slice(0, 120)}".`);
  return article;
}

async function list(
  verb: 'ListIdentifiers' | 'ListRecords',
  args: Record<string, string>,
  source: OaiSource,
  config: OaiConfig,
): Promise<Xml> {
  const pageSize = config.pageSize ?? DEFAULT_PAGE_SIZE;
  let state: Omit<TokenState, 't' | 'i' | 'c'> & { after?: OaiCursor; cursor: number };
  const resumed = args.resumptionToken !== undefined;
  if (args.resumptionToken !== undefined) {
    const token = decodeToken(args.resumptionToken, verb);
    state = {
      v: 1,
      verb,
      p: token.p,
      f: token.f,
      u: token.u,
      s: token.s,
      n: token.n,
      after: { updatedAt: token.t, id: token.i },
      cursor: token.c,
    };
  } else {
    checkPrefix(args.metadataPrefix ?? '');
    const { from, until } = dateRange(args);
    let set: ArticleType | undefined;
    if (args.set !== undefined) {
      if (!isArticleType(args.set))
        throw new OaiError('noRecordsMatch', `There is no set "${oneLine(args.set).slice(0, 40)}".`);
      set = args.set;
    }
    const filter = { from, until, set };
    const total = source.count ? await source.count(filter) : undefined;
    state = { v: 1, verb, p: 'oai_dc', f: filter.from, u: filter.until, s: set, n: total, cursor: 0 };
  }
  const rows = await source.page({
    from: state.f,
    until: state.u,
    set: state.s,
    after: state.after,
    limit: pageSize + 1,
  });
  const pageRows = rows.slice(0, pageSize);
  // A list element needs at least one item (OAI-PMH.xsd); a forged token past the end matches nothing too.
  if (pageRows.length === 0) throw new OaiError('noRecordsMatch', 'No records match the request.');
  const more = rows.length > pageSize;
  const last = pageRows.at(-1);
  const sizeAttrs = { completeListSize: state.n, cursor: state.cursor };
  let tokenElement: Xml | null = null;
  if (more && last) {
    const next: TokenState = {
      v: 1,
      verb,
      p: 'oai_dc',
      ...(state.f !== undefined ? { f: state.f } : {}),
      ...(state.u !== undefined ? { u: state.u } : {}),
      ...(state.s !== undefined ? { s: state.s } : {}),
      t: last.updatedAt,
      i: last.id,
      c: state.cursor + pageRows.length,
      ...(state.n !== undefined ? { n: state.n } : {}),
    };
    tokenElement = el('resumptionToken', sizeAttrs, encodeToken(next));
  } else if (resumed) {
    // The response that completes a resumed list carries an empty token (section 3.5.1).
    tokenElement = el('resumptionToken', sizeAttrs);
  }
  const items = pageRows.map((a) => (verb === 'ListRecords' ? record(a, config) : header(a, config)));
  return el(verb, null, items, tokenElement);
}

async function answer(request: Request, source: OaiSource, config: OaiConfig, now: number): Promise<Xml> {
  const { verb, args } = request;
  switch (verb) {
    case 'Identify':
      return identify(source, config, now);
    case 'ListMetadataFormats':
      if (args.identifier !== undefined) await findRecord(args.identifier, source, config);
      return el('ListMetadataFormats', null, METADATA_FORMAT);
    case 'ListSets':
      if (args.resumptionToken !== undefined) throw new OaiError('badResumptionToken', 'ListSets is never resumed.');
      return el(
        'ListSets',
        null,
        ARTICLE_TYPES.map((t) => el('set', null, el('setSpec', null, t), el('setName', null, ARTICLE_TYPE_LABELS[t]))),
      );
    case 'GetRecord': {
      const article = await findRecord(args.identifier ?? '', source, config);
      checkPrefix(args.metadataPrefix ?? '');
      return el('GetRecord', null, record(article, config));
    }
    case 'ListIdentifiers':
    case 'ListRecords':
      return list(verb, args, source, config);
  }
}

function envelope(now: number, requestElement: Xml, body: Xml): string {
  return xmlDocument(
    el(
      'OAI-PMH',
      { xmlns: OAI_NS, 'xmlns:xsi': XSI_NS, 'xsi:schemaLocation': OAI_SCHEMA_LOCATION },
      el('responseDate', null, oaiDatestamp(now)),
      requestElement,
      body,
    ),
  );
}

/**
 * Answers one OAI-PMH request. Protocol errors are HTTP 200 with error elements; this never throws. A
 * failing source gives HTTP 503 with Retry-After and the error for the route to log.
 */
export async function handleOaiRequest(params: Params, source: OaiSource, config: OaiConfig): Promise<OaiResponse> {
  const now = (config.now ?? Date.now)();
  const headers = { 'content-type': OAI_CONTENT_TYPE };
  let request: Request;
  try {
    request = parseRequest(params);
  } catch (error) {
    const e = error as OaiError;
    // After badVerb or badArgument, the request element has the base URL only (section 3.2).
    const xml = envelope(now, el('request', null, config.baseUrl), el('error', { code: e.code }, e.message));
    return { status: 200, xml, headers };
  }
  const requestElement = el('request', { verb: request.verb, ...request.args }, config.baseUrl);
  try {
    const body = await answer(request, source, config, now);
    return { status: 200, xml: envelope(now, requestElement, body), headers };
  } catch (error) {
    if (error instanceof OaiError) {
      const bare = error.code === 'badArgument' || error.code === 'badVerb';
      const xml = envelope(
        now,
        bare ? el('request', null, config.baseUrl) : requestElement,
        el('error', { code: error.code }, error.message),
      );
      return { status: 200, xml, headers };
    }
    // No OAI error code means "try later"; HTTP does (503 with Retry-After), with a plain-text body.
    return {
      status: 503,
      xml: 'The repository cannot answer now; please retry later.\n',
      headers: { 'content-type': 'text/plain; charset=utf-8', 'retry-after': String(SOURCE_RETRY_AFTER_S) },
      error,
    };
  }
}
