/**
 * The OAI-PMH endpoint's answers checked against what OAI-PMH.xsd and oai_dc.xsd require (read from the
 * published schemas; not committed): the envelope's namespace, schemaLocation and child order, each verb's
 * content model and cardinality, the UTCdatetime and granularity formats, the setSpec and metadataPrefix
 * patterns, the error codes, and the resumption-token rules of the specification (section 3.5).
 */
import { describe, expect, it } from 'vitest';
import {
  DC_NS,
  handleOaiRequest,
  OAI_DC_NS,
  OAI_NS,
  type OaiConfig,
  type OaiSource,
} from '#src/lib/journal-metadata/oai-pmh.ts';
import {
  articleWith,
  hostileArticle,
  illegalXmlChars,
  JOURNAL,
  ORIGINAL_RESEARCH,
  TRANSLATION,
} from '#test/helpers/journal-fixtures.ts';
import { MemoryOaiSource, manyRecords } from '#test/helpers/oai-memory-source.ts';
import {
  child,
  childNames,
  childrenNamed,
  expectSequence,
  nth,
  parseXml,
  UNBOUNDED,
  type XmlElement,
} from '#test/helpers/xml-structure.ts';
import { XSS_PAYLOADS } from '#test/helpers/xss-corpus.ts';

const NOW = Date.UTC(2026, 4, 1, 12, 0, 0);
const CONFIG: OaiConfig = {
  baseUrl: 'https://portal.iecpa.example/oai',
  repositoryName: 'IECPA journal',
  adminEmails: ['journal@iecpa.example'],
  host: 'portal.iecpa.example',
  journal: JOURNAL,
  pageSize: 100,
  now: () => NOW,
};
const RETRACTED = articleWith(ORIGINAL_RESEARCH, {
  id: 'a2026-0009',
  doi: '10.5555/iecpa.2026.0009',
  retracted: true,
  updatedAt: Date.UTC(2026, 3, 20, 7, 0, 0),
  notices: [{ kind: 'retraction', publishedOn: '2026-04-20', text: 'Duplicate publication.' }],
});
const source = () => new MemoryOaiSource([ORIGINAL_RESEARCH, TRANSLATION, RETRACTED]);

/** xs:dateTime restricted to UTC (OAI-PMH.xsd UTCdatetimeType) at the repository's granularity. */
const SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
/** OAI-PMH.xsd setSpecType and metadataPrefixType patterns. */
const SET_SPEC = /^([A-Za-z0-9\-_.!~*'()])+(:[A-Za-z0-9\-_.!~*'()]+)*$/;
const METADATA_PREFIX = /^[A-Za-z0-9\-_.!~*'()]+$/;
const ERROR_CODES = [
  'cannotDisseminateFormat',
  'idDoesNotExist',
  'badArgument',
  'badVerb',
  'noMetadataFormats',
  'noRecordsMatch',
  'badResumptionToken',
  'noSetHierarchy',
];
const VERBS = ['Identify', 'ListMetadataFormats', 'ListSets', 'GetRecord', 'ListIdentifiers', 'ListRecords'];
const DC_ELEMENTS = [
  'title',
  'creator',
  'subject',
  'description',
  'publisher',
  'contributor',
  'date',
  'type',
  'format',
  'identifier',
  'source',
  'language',
  'relation',
  'coverage',
  'rights',
];

async function oai(query: string | Record<string, string[]>, src: OaiSource = source(), config = CONFIG) {
  const params = typeof query === 'string' ? new URLSearchParams(query) : query;
  const response = await handleOaiRequest(params, src, config);
  expect(response.status).toBe(200);
  expect(response.headers['content-type']).toBe('text/xml; charset=utf-8');
  expect(illegalXmlChars(response.xml)).toEqual([]);
  return { ...response, root: envelope(parseXml(response.xml)) };
}

/** OAI-PMHtype: responseDate, request, then error+ or exactly one verb element. */
function envelope(root: XmlElement): XmlElement {
  expect(root.name).toBe('OAI-PMH');
  expect(root.attrs.xmlns).toBe(OAI_NS);
  expect(root.attrs['xmlns:xsi']).toBe('http://www.w3.org/2001/XMLSchema-instance');
  expect(root.attrs['xsi:schemaLocation']).toBe(
    'http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd',
  );
  const names = childNames(root);
  expect(names.slice(0, 2)).toEqual(['responseDate', 'request']);
  expect(child(root, 'responseDate').text).toBe('2026-05-01T12:00:00Z');
  const request = child(root, 'request');
  expect(request.text).toBe(CONFIG.baseUrl);
  for (const attr of Object.keys(request.attrs)) {
    expect(['verb', 'identifier', 'metadataPrefix', 'from', 'until', 'set', 'resumptionToken']).toContain(attr);
  }
  // requestType's attribute types: verbType, metadataPrefixType, setSpecType, UTCdatetimeType, anyURI.
  const a = request.attrs;
  if (a.verb !== undefined) expect(VERBS).toContain(a.verb);
  if (a.metadataPrefix !== undefined) expect(a.metadataPrefix).toMatch(METADATA_PREFIX);
  if (a.set !== undefined) expect(a.set).toMatch(SET_SPEC);
  for (const d of [a.from, a.until])
    if (d !== undefined) expect(d).toMatch(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z)?$/);
  if (a.identifier !== undefined) expect(a.identifier).toMatch(/^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`]+$/);
  const rest = names.slice(2);
  if (rest[0] === 'error') {
    expect(rest.every((n) => n === 'error')).toBe(true);
    for (const e of childrenNamed(root, 'error')) expect(ERROR_CODES).toContain(e.attrs.code);
  } else {
    expect(rest).toHaveLength(1);
    expect(VERBS).toContain(rest[0]);
  }
  return root;
}

async function expectError(query: string | Record<string, string[]>, code: string, src?: OaiSource) {
  const { root } = await oai(query, src);
  const errors = childrenNamed(root, 'error');
  expect(
    errors.map((e) => e.attrs.code),
    typeof query === 'string' ? query : JSON.stringify(query),
  ).toEqual([code]);
  expect(nth(errors, 0).text.length).toBeGreaterThan(0);
  // After badVerb or badArgument the request element carries the base URL only (section 3.2).
  if (code === 'badVerb' || code === 'badArgument') expect(child(root, 'request').attrs).toEqual({});
  return root;
}

function expectHeader(header: XmlElement): void {
  expectSequence(header, [
    ['identifier', 1, 1],
    ['datestamp', 1, 1],
    ['setSpec', 0, UNBOUNDED],
  ]);
  expect(header.attrs.status).toBeUndefined();
  expect(child(header, 'identifier').text).toMatch(/^oai:portal\.iecpa\.example:[A-Za-z0-9-]+$/);
  expect(child(header, 'datestamp').text).toMatch(SECONDS);
  for (const s of childrenNamed(header, 'setSpec')) expect(s.text).toMatch(SET_SPEC);
}

function expectDublinCore(record: XmlElement): XmlElement {
  expectSequence(record, [
    ['header', 1, 1],
    ['metadata', 0, 1],
    ['about', 0, UNBOUNDED],
  ]);
  expectHeader(child(record, 'header'));
  const metadata = child(record, 'metadata');
  expect(metadata.children).toHaveLength(1);
  const dc = child(metadata, 'oai_dc:dc');
  expect(dc.attrs['xmlns:oai_dc']).toBe(OAI_DC_NS);
  expect(dc.attrs['xmlns:dc']).toBe(DC_NS);
  expect(dc.attrs['xsi:schemaLocation']).toBe(
    'http://www.openarchives.org/OAI/2.0/oai_dc/ http://www.openarchives.org/OAI/2.0/oai_dc.xsd',
  );
  for (const e of dc.children) {
    expect(e.name.startsWith('dc:')).toBe(true);
    expect(DC_ELEMENTS).toContain(e.name.slice(3));
    expect(e.children).toHaveLength(0);
    for (const attr of Object.keys(e.attrs)) expect(attr).toBe('xml:lang');
  }
  return dc;
}

const dcValues = (dc: XmlElement, name: string) => childrenNamed(dc, `dc:${name}`).map((e) => e.text);

describe('OAI-PMH: Identify, ListMetadataFormats, ListSets', () => {
  it('identifies the repository with the elements Identify requires, in order', async () => {
    const { root } = await oai('verb=Identify');
    expect(child(root, 'request').attrs).toEqual({ verb: 'Identify' });
    const identify = child(root, 'Identify');
    expectSequence(identify, [
      ['repositoryName', 1, 1],
      ['baseURL', 1, 1],
      ['protocolVersion', 1, 1],
      ['adminEmail', 1, UNBOUNDED],
      ['earliestDatestamp', 1, 1],
      ['deletedRecord', 1, 1],
      ['granularity', 1, 1],
      ['compression', 0, UNBOUNDED],
      ['description', 0, UNBOUNDED],
    ]);
    expect(child(identify, 'protocolVersion').text).toBe('2.0');
    // emailType: \S+@(\S+\.)+\S+
    for (const e of childrenNamed(identify, 'adminEmail')) expect(e.text).toMatch(/^\S+@(\S+\.)+\S+$/);
    expect(child(identify, 'baseURL').text).toBe(CONFIG.baseUrl);
    expect(child(identify, 'granularity').text).toBe('YYYY-MM-DDThh:mm:ssZ');
    expect(child(identify, 'earliestDatestamp').text).toBe('2026-03-16T09:30:15Z');
    expect(['no', 'persistent', 'transient']).toContain(child(identify, 'deletedRecord').text);
    const description = child(child(identify, 'description'), 'oai-identifier');
    expect(description.attrs.xmlns).toBe('http://www.openarchives.org/OAI/2.0/oai-identifier');
    expect(childNames(description)).toEqual(['scheme', 'repositoryIdentifier', 'delimiter', 'sampleIdentifier']);
  });

  it('leaves the oai-identifier description out for a host its pattern does not allow', async () => {
    const { root } = await oai('verb=Identify', source(), { ...CONFIG, host: 'localhost:4321' });
    expect(childNames(child(root, 'Identify'))).not.toContain('description');
  });

  it('lists oai_dc as the one metadata format, for the repository or an item', async () => {
    for (const query of [
      'verb=ListMetadataFormats',
      'verb=ListMetadataFormats&identifier=oai:portal.iecpa.example:a2026-0001',
    ]) {
      const { root } = await oai(query);
      const formats = childrenNamed(child(root, 'ListMetadataFormats'), 'metadataFormat');
      expect(formats).toHaveLength(1);
      const format = nth(formats, 0);
      expect(childNames(format)).toEqual(['metadataPrefix', 'schema', 'metadataNamespace']);
      expect(child(format, 'metadataPrefix').text).toMatch(METADATA_PREFIX);
      expect(child(format, 'metadataPrefix').text).toBe('oai_dc');
      expect(child(format, 'schema').text).toBe('http://www.openarchives.org/OAI/2.0/oai_dc.xsd');
      expect(child(format, 'metadataNamespace').text).toBe('http://www.openarchives.org/OAI/2.0/oai_dc/');
    }
    await expectError('verb=ListMetadataFormats&identifier=oai:portal.iecpa.example:nope', 'idDoesNotExist');
  });

  it('lists the article types as sets', async () => {
    const { root } = await oai('verb=ListSets');
    const sets = childrenNamed(child(root, 'ListSets'), 'set');
    expect(sets.map((s) => child(s, 'setSpec').text)).toEqual([
      'original-research',
      'case-series',
      'review',
      'short-communication',
      'letter',
      'translation',
    ]);
    for (const set of sets) {
      expectSequence(set, [
        ['setSpec', 1, 1],
        ['setName', 1, 1],
        ['setDescription', 0, UNBOUNDED],
      ]);
      expect(child(set, 'setSpec').text).toMatch(SET_SPEC);
    }
    await expectError('verb=ListSets&resumptionToken=abc', 'badResumptionToken');
  });
});

describe('OAI-PMH: GetRecord and Dublin Core', () => {
  it('returns a record with a header and oai_dc metadata', async () => {
    const { root } = await oai('verb=GetRecord&identifier=oai:portal.iecpa.example:a2026-0001&metadataPrefix=oai_dc');
    expect(child(root, 'request').attrs).toEqual({
      verb: 'GetRecord',
      identifier: 'oai:portal.iecpa.example:a2026-0001',
      metadataPrefix: 'oai_dc',
    });
    const record = child(child(root, 'GetRecord'), 'record');
    const header = child(record, 'header');
    expect(child(header, 'datestamp').text).toBe('2026-03-16T09:30:15Z');
    expect(childrenNamed(header, 'setSpec').map((s) => s.text)).toEqual(['original-research']);
    const dc = expectDublinCore(record);
    expect(dcValues(dc, 'title')).toEqual([ORIGINAL_RESEARCH.title]);
    expect(dcValues(dc, 'creator')).toEqual(['Carberry, Josiah', 'Li, Wei', 'Ivanova, Olga Petrovna']);
    expect(dcValues(dc, 'identifier')).toEqual(['https://doi.org/10.5555/iecpa.2026.0001', ORIGINAL_RESEARCH.url]);
    expect(dcValues(dc, 'date')).toEqual(['2026-03-16']);
    expect(dcValues(dc, 'language')).toEqual(['en']);
    expect(dcValues(dc, 'rights')).toEqual([ORIGINAL_RESEARCH.licenceUrl]);
    expect(dcValues(dc, 'source')).toEqual([`${JOURNAL.title}; Vol. 1 No. 1 (2026): e2026001; ISSN 2999-0005`]);
    expect(dcValues(dc, 'subject')).toEqual(ORIGINAL_RESEARCH.keywords);
    expect(nth(childrenNamed(dc, 'dc:description'), 0).text).toMatch(/^Background: /);
  });

  it('keeps a translation’s original title and abstract in their language and relates the original', async () => {
    const { root } = await oai('verb=GetRecord&identifier=oai:portal.iecpa.example:a2026-0002&metadataPrefix=oai_dc');
    const dc = expectDublinCore(child(child(root, 'GetRecord'), 'record'));
    const titles = childrenNamed(dc, 'dc:title');
    expect(titles.map((t) => [t.attrs['xml:lang'], t.text])).toEqual([
      ['en', TRANSLATION.title],
      ['zh', '增强型体外反搏治疗老年慢性心力衰竭'],
    ]);
    expect(dcValues(dc, 'contributor')).toEqual(['Smith, Anna']);
    expect(dcValues(dc, 'source')).toEqual([`${JOURNAL.title}: e2026002 (2026); ISSN 2999-0005`]);
    expect(dcValues(dc, 'relation')).toEqual(['https://doi.org/10.5555/cjc.2024.0301']);
    expect(childrenNamed(dc, 'dc:description').map((d) => d.attrs['xml:lang'])).toEqual(['en', 'zh']);
  });

  it('keeps a retracted article as a record, marked, with the notice', async () => {
    const { root } = await oai('verb=GetRecord&identifier=oai:portal.iecpa.example:a2026-0009&metadataPrefix=oai_dc');
    const record = child(child(root, 'GetRecord'), 'record');
    expect(child(record, 'header').attrs.status).toBeUndefined();
    const dc = expectDublinCore(record);
    expect(nth(childrenNamed(dc, 'dc:title'), 0).text).toMatch(/^Retracted: /);
    expect(dcValues(dc, 'description')).toContain('Retraction (2026-04-20): Duplicate publication.');
  });

  it('answers unknown identifiers and formats with the protocol errors', async () => {
    await expectError(
      'verb=GetRecord&identifier=oai:portal.iecpa.example:nope&metadataPrefix=oai_dc',
      'idDoesNotExist',
    );
    await expectError('verb=GetRecord&identifier=oai:other.example:a2026-0001&metadataPrefix=oai_dc', 'idDoesNotExist');
    await expectError('verb=GetRecord&identifier=urn:a2026-0001&metadataPrefix=oai_dc', 'idDoesNotExist');
    await expectError(
      'verb=GetRecord&identifier=oai:portal.iecpa.example:a2026-0001&metadataPrefix=marc21',
      'cannotDisseminateFormat',
    );
    await expectError('verb=GetRecord&identifier=oai:portal.iecpa.example:a2026-0001', 'badArgument');
  });
});

describe('OAI-PMH: bad requests get the protocol’s errors, never an exception', () => {
  const cases: Array<[string | Record<string, string[]>, string]> = [
    ['', 'badVerb'],
    ['verb=', 'badVerb'],
    ['verb=Frobnicate', 'badVerb'],
    ['verb=identify', 'badVerb'],
    ['verb=Identify&verb=Identify', 'badVerb'],
    ['verb=<script>alert(1)</script>', 'badVerb'],
    ['verb=Identify&extra=1', 'badArgument'],
    ['verb=Identify&metadataPrefix=oai_dc', 'badArgument'],
    ['verb=ListRecords', 'badArgument'],
    ['verb=ListIdentifiers&set=review', 'badArgument'],
    ['verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc', 'badArgument'],
    [{ verb: ['ListRecords'], metadataPrefix: ['oai_dc', 'oai_dc'] }, 'badArgument'],
    ['verb=ListRecords&metadataPrefix=', 'badArgument'],
    ['verb=ListRecords&metadataPrefix=oai_dc&from=2026-13-01', 'badArgument'],
    ['verb=ListRecords&metadataPrefix=oai_dc&from=2026-02-30', 'badArgument'],
    ['verb=ListRecords&metadataPrefix=oai_dc&from=2026-01-01T00:00:00', 'badArgument'],
    ['verb=ListRecords&metadataPrefix=oai_dc&from=2026-01-01T00:00:00.000Z', 'badArgument'],
    ['verb=ListRecords&metadataPrefix=oai_dc&from=2026-01-01T25:00:00Z', 'badArgument'],
    ['verb=ListRecords&metadataPrefix=oai_dc&from=yesterday', 'badArgument'],
    ['verb=ListRecords&metadataPrefix=oai_dc&from=2026-01-01&until=2026-02-01T00:00:00Z', 'badArgument'],
    ['verb=ListRecords&metadataPrefix=oai_dc&from=2026-03-01&until=2026-02-01', 'badArgument'],
    ['verb=ListRecords&metadataPrefix=oai_dc&resumptionToken=abc', 'badArgument'],
    ['verb=ListRecords&resumptionToken=abc&set=review', 'badArgument'],
    ['verb=ListRecords&metadataPrefix=oai_dc&set=review&set=letter', 'badArgument'],
    ['verb=ListRecords&metadataPrefix=mods', 'cannotDisseminateFormat'],
    // Values the request element could not echo under OAI-PMH.xsd's types are bad arguments.
    ['verb=ListRecords&metadataPrefix=<x>', 'badArgument'],
    ['verb=ListRecords&metadataPrefix=mods&from=yesterday', 'badArgument'],
    ['verb=ListRecords&metadataPrefix=oai_dc&set=no such set', 'badArgument'],
    ['verb=ListRecords&metadataPrefix=oai_dc&set=review:', 'badArgument'],
    ['verb=GetRecord&metadataPrefix=oai_dc&identifier=no-scheme', 'badArgument'],
    ['verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:portal.iecpa.example:<script>', 'badArgument'],
    ['verb=ListMetadataFormats&identifier=oai:x y', 'badArgument'],
    ['verb=ListIdentifiers&metadataPrefix=mods', 'cannotDisseminateFormat'],
    ['verb=ListRecords&metadataPrefix=oai_dc&set=no-such-set', 'noRecordsMatch'],
    ['verb=ListRecords&metadataPrefix=oai_dc&from=2027-01-01', 'noRecordsMatch'],
    ['verb=ListRecords&metadataPrefix=oai_dc&until=2025-12-31', 'noRecordsMatch'],
    ['verb=ListRecords&resumptionToken=', 'badResumptionToken'],
    ['verb=ListRecords&resumptionToken=not*a*token', 'badResumptionToken'],
    ['verb=ListRecords&resumptionToken=e30', 'badResumptionToken'],
    [`verb=ListRecords&resumptionToken=${Buffer.from('{"v":1').toString('base64url')}`, 'badResumptionToken'],
    [`verb=ListIdentifiers&resumptionToken=${'A'.repeat(5000)}`, 'badResumptionToken'],
  ];
  it.each(cases)('%s → %s', async (query, code) => {
    await expectError(query, code);
  });

  it('rejects a token made for another verb, and a tampered token', async () => {
    const src = new MemoryOaiSource(manyRecords(ORIGINAL_RESEARCH, 250));
    const { root } = await oai('verb=ListIdentifiers&metadataPrefix=oai_dc', src);
    const token = child(child(root, 'ListIdentifiers'), 'resumptionToken').text;
    await expectError(`verb=ListRecords&resumptionToken=${token}`, 'badResumptionToken', src);
    const state = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    const tampered = Buffer.from(JSON.stringify({ ...state, p: 'marc21' })).toString('base64url');
    await expectError(`verb=ListIdentifiers&resumptionToken=${tampered}`, 'badResumptionToken', src);
    const extra = Buffer.from(JSON.stringify({ ...state, evil: '<x>' })).toString('base64url');
    await expectError(`verb=ListIdentifiers&resumptionToken=${extra}`, 'badResumptionToken', src);
    const past = Buffer.from(JSON.stringify({ ...state, t: Date.UTC(2030, 0, 1) })).toString('base64url');
    await expectError(`verb=ListIdentifiers&resumptionToken=${past}`, 'noRecordsMatch', src);
  });

  it('escapes what it echoes of a hostile request', async () => {
    const { xml, root } = await oai(
      "verb=GetRecord&identifier=oai:portal.iecpa.example:x'%26amp;&metadataPrefix=oai_dc",
    );
    expect(child(root, 'request').attrs.identifier).toBe("oai:portal.iecpa.example:x'&amp;");
    expect(xml).toContain('identifier="oai:portal.iecpa.example:x&apos;&amp;amp;"');
    const bad = await oai('verb=<script>alert(1)</script>');
    expect(bad.xml).not.toContain('<script>');
    expect(nth(childrenNamed(bad.root, 'error'), 0).text).toContain('<script>alert(1)</script>');
  });

  it('answers 503 with Retry-After when the source fails, without throwing', async () => {
    const failing: OaiSource = {
      earliestDatestamp: () => Promise.reject(new Error('database locked')),
      page: () => Promise.reject(new Error('database locked')),
      get: () => Promise.reject(new Error('database locked')),
    };
    for (const query of [
      'verb=Identify',
      'verb=ListRecords&metadataPrefix=oai_dc',
      'verb=GetRecord&identifier=oai:portal.iecpa.example:x&metadataPrefix=oai_dc',
    ]) {
      const response = await handleOaiRequest(new URLSearchParams(query), failing, CONFIG);
      expect(response.status).toBe(503);
      expect(response.headers['retry-after']).toBe('30');
      expect((response.error as Error).message).toBe('database locked');
    }
  });
});

describe('OAI-PMH: lists, selective harvesting and resumption', () => {
  it('lists records in (datestamp, id) order with sets and date bounds', async () => {
    const { root } = await oai('verb=ListRecords&metadataPrefix=oai_dc');
    const list = child(root, 'ListRecords');
    expectSequence(list, [
      ['record', 1, UNBOUNDED],
      ['resumptionToken', 0, 1],
    ]);
    expect(childrenNamed(list, 'resumptionToken')).toHaveLength(0);
    const ids = childrenNamed(list, 'record').map((r) => child(child(r, 'header'), 'identifier').text);
    expect(ids).toEqual([
      'oai:portal.iecpa.example:a2026-0001',
      'oai:portal.iecpa.example:a2026-0002',
      'oai:portal.iecpa.example:a2026-0009',
    ]);
    for (const r of childrenNamed(list, 'record')) expectDublinCore(r);

    const headers = async (q: string) => {
      const { root: r } = await oai(`verb=ListIdentifiers&metadataPrefix=oai_dc&${q}`);
      const l = child(r, 'ListIdentifiers');
      for (const h of childrenNamed(l, 'header')) expectHeader(h);
      return childrenNamed(l, 'header').map((h) => child(h, 'identifier').text.split(':').at(-1));
    };
    expect(await headers('set=translation')).toEqual(['a2026-0002']);
    // Day granularity: until covers the whole day; from starts at midnight.
    expect(await headers('from=2026-03-16&until=2026-03-16')).toEqual(['a2026-0001']);
    expect(await headers('from=2026-04-02')).toEqual(['a2026-0002', 'a2026-0009']);
    // Seconds granularity, both bounds inclusive at the second.
    expect(await headers('from=2026-03-16T09:30:15Z&until=2026-04-02T08:00:00Z')).toEqual(['a2026-0001', 'a2026-0002']);
    await expectError(
      'verb=ListIdentifiers&metadataPrefix=oai_dc&from=2026-03-16T09:30:16Z&until=2026-04-02T07:59:59Z',
      'noRecordsMatch',
    );
  });

  it('harvests 10 000 records through resumption tokens, each once, with cursor and completeListSize', async () => {
    const records = manyRecords(ORIGINAL_RESEARCH, 10_000);
    const src = new MemoryOaiSource(records);
    const config = { ...CONFIG, pageSize: 500 };
    const seen = new Set<string>();
    let query = 'verb=ListRecords&metadataPrefix=oai_dc';
    let responses = 0;
    let expectedCursor = 0;
    for (;;) {
      const response = await handleOaiRequest(new URLSearchParams(query), src, config);
      responses++;
      const { xml } = response;
      expect(response.status).toBe(200);
      // The first and the last answer are parsed and checked in full; the others are read with patterns
      // (a full parse of 20 pages of 500 records costs seconds and checks nothing new).
      const token = /<resumptionToken completeListSize="(\d+)" cursor="(\d+)"(?:\/>|>([^<]*)<\/resumptionToken>)/.exec(
        xml,
      );
      if (responses === 1 || !token?.[3]) {
        const list = child((await oai(query, src, config)).root, 'ListRecords');
        expectSequence(list, [
          ['record', 1, 500],
          ['resumptionToken', 0, 1],
        ]);
        for (const r of childrenNamed(list, 'record')) expectDublinCore(r);
      }
      const headers = [...xml.matchAll(/<header><identifier>([^<]+)<\/identifier><datestamp>([^<]+)<\/datestamp>/g)];
      expect(headers.length).toBe(xml.split('<record>').length - 1);
      let previous = '';
      for (const [, id = '', datestamp = ''] of headers) {
        const key = `${datestamp} ${id}`;
        expect(key > previous).toBe(true);
        previous = key;
        expect(seen.has(id)).toBe(false);
        seen.add(id);
      }
      expect(token?.[1]).toBe('10000');
      expect(token?.[2]).toBe(String(expectedCursor));
      expectedCursor += headers.length;
      const value = token?.[3] ?? '';
      if (value === '') break;
      expect(value).toMatch(/^[A-Za-z0-9_-]+$/);
      query = `verb=ListRecords&resumptionToken=${value}`;
    }
    expect(seen.size).toBe(10_000);
    expect(responses).toBe(20);
  }, 60_000);

  it('harvests a set with ListIdentifiers, and survives records changing mid-harvest', async () => {
    const records = manyRecords(ORIGINAL_RESEARCH, 1_200);
    const src = new MemoryOaiSource(records);
    const seen: string[] = [];
    let query = 'verb=ListIdentifiers&metadataPrefix=oai_dc&set=review';
    let round = 0;
    for (;;) {
      const { root } = await oai(query, src);
      const list = child(root, 'ListIdentifiers');
      for (const h of childrenNamed(list, 'header')) {
        expect(nth(childrenNamed(h, 'setSpec'), 0).text).toBe('review');
        seen.push(child(h, 'identifier').text.split(':').at(-1) ?? '');
      }
      if (round++ === 0) {
        // An already harvested record and a not yet harvested one are edited: both come (again) later.
        const done = records.find((r) => r.id === seen[0]);
        const pending = records.filter((r) => r.type === 'review').at(-1);
        for (const r of [done, pending]) if (r) src.update({ ...r, updatedAt: Date.UTC(2026, 5, 1) });
      }
      const token = childrenNamed(list, 'resumptionToken')[0];
      if (!token || token.text === '') break;
      query = `verb=ListIdentifiers&resumptionToken=${token.text}`;
    }
    const reviews = records.filter((r) => r.type === 'review').map((r) => r.id);
    expect(new Set(seen)).toEqual(new Set(reviews));
    expect(seen.length).toBe(reviews.length + 1);
  });

  it('keeps hostile records well formed, with no illegal characters', async () => {
    const src = new MemoryOaiSource(
      XSS_PAYLOADS.map((p, i) => ({ ...hostileArticle(p), id: `x${i}`, updatedAt: NOW - i * 1000 })),
    );
    const { root } = await oai('verb=ListRecords&metadataPrefix=oai_dc', src);
    const records = childrenNamed(child(root, 'ListRecords'), 'record');
    expect(records).toHaveLength(XSS_PAYLOADS.length);
    for (const r of records) expectDublinCore(r);
  });
});
