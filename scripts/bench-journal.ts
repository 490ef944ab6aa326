/**
 * Journal benchmarks (issue 17, "Performance"). Parts that need no journal pages live here; the article page
 * against /api/health (`bench:journal`) joins them once the pages exist.
 *
 *   npm run bench:oai [-- --records 10000 --page-size 100]
 *
 * OAI-PMH harvest: a harvester follows ListRecords resumption tokens from the first request to the empty
 * token, through handleOaiRequest (the same function the /oai route calls), over a generated source that
 * holds no records: each page is made from the cursor, as an indexed query would return it. It reports
 * records, requests, time, the live heap (after a forced collection) sampled along the harvest, and the
 * process's peak resident memory (process.resourceUsage().maxRSS). Memory is constant when neither grows
 * with the list: the harvest runs at the requested size and then at five times it, side by side, each in a
 * fresh process whose heap is capped (so growth would end the run, not just show in a figure).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ARTICLE_TYPES } from '../src/lib/journal-metadata/common.ts';
import {
  handleOaiRequest,
  type OaiConfig,
  type OaiPageQuery,
  type OaiSource,
} from '../src/lib/journal-metadata/oai-pmh.ts';
import type { ArticleMetadata } from '../src/lib/journal-metadata/types.ts';

const START = Date.UTC(2026, 0, 1);
const JOURNAL = {
  title: 'Journal of the International External Counterpulsation Association',
  abbreviation: 'J Int Ext Counterpulsation Assoc',
  publisher: 'International External Counterpulsation Association',
  issn: '2999-0005',
  doiPrefix: '10.5555',
  origin: 'https://portal.iecpa.example',
};

/** Record i of a generated list: three records per second, ids in the same order as their index. */
function generated(i: number): ArticleMetadata {
  const id = `r${String(i + 1).padStart(7, '0')}`;
  return {
    id,
    doi: `10.5555/iecpa.bench.${id}`,
    url: `${JOURNAL.origin}/journal/articles/${id}`,
    pdfUrl: `${JOURNAL.origin}/journal/articles/${id}.pdf`,
    type: ARTICLE_TYPES[i % ARTICLE_TYPES.length] ?? 'original-research',
    title: `Enhanced external counterpulsation after percutaneous coronary intervention, report ${i + 1}`,
    language: 'en',
    abstract: {
      background: 'Angina persists in a quarter of patients after PCI.',
      methods: 'We randomised 120 patients to 35 one-hour sessions of EECP or usual care.',
      results: 'Angina class improved by at least one grade in 68% with EECP and 31% with usual care.',
      conclusions: 'EECP after PCI reduced angina at 12 weeks.',
    },
    keywords: ['enhanced external counterpulsation', 'angina pectoris'],
    authors: [
      { givenNames: 'Josiah', surname: 'Carberry', orcid: '0000-0002-1825-0097', affiliation: 'Brown University' },
      { givenNames: 'Wei', surname: 'Li', affiliation: 'Sun Yat-sen University' },
    ],
    translators: [],
    receivedOn: '2025-11-01',
    acceptedOn: '2025-12-01',
    publishedOn: '2026-01-01',
    updatedAt: START + Math.floor(i / 3) * 1000,
    articleNumber: `e${i + 1}`,
    licenceUrl: 'https://creativecommons.org/licenses/by/4.0/',
    competingInterests: 'None declared.',
    funding: 'None.',
    references: [],
    translationDois: [],
    retracted: false,
    notices: [],
  };
}

/** A source of `n` generated records; finds a cursor's position by binary search, keeps nothing. */
function generatedSource(n: number): OaiSource & { queries: number } {
  const after = (i: number, cursor: { updatedAt: number; id: string }): boolean => {
    const r = generated(i);
    return r.updatedAt > cursor.updatedAt || (r.updatedAt === cursor.updatedAt && r.id > cursor.id);
  };
  const source = {
    queries: 0,
    async earliestDatestamp() {
      return n > 0 ? START : undefined;
    },
    async page(q: OaiPageQuery) {
      source.queries++;
      let lo = 0;
      let hi = n;
      if (q.after) {
        const cursor = q.after;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (after(mid, cursor)) hi = mid;
          else lo = mid + 1;
        }
      }
      const out: ArticleMetadata[] = [];
      for (let i = lo; i < n && out.length < q.limit; i++) {
        const r = generated(i);
        if (q.until !== undefined && r.updatedAt > q.until) break;
        if ((q.from === undefined || r.updatedAt >= q.from) && (q.set === undefined || r.type === q.set)) out.push(r);
      }
      return out;
    },
    async get(id: string) {
      const i = Number(id.slice(1)) - 1;
      return Number.isInteger(i) && i >= 0 && i < n ? generated(i) : undefined;
    },
    async count() {
      return n;
    },
  };
  return source;
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

interface HarvestResult {
  records: number;
  requests: number;
  wallMs: number;
  heapSamplesMb: string[];
  peakRssMb: string;
}

async function harvest(n: number, pageSize: number): Promise<HarvestResult> {
  const source = generatedSource(n);
  const config: OaiConfig = {
    baseUrl: `${JOURNAL.origin}/oai`,
    repositoryName: 'IECPA journal',
    adminEmails: ['journal@iecpa.example'],
    host: 'portal.iecpa.example',
    journal: JOURNAL,
    pageSize,
  };
  // One byte per record (ids are r0000001…): a duplicate or a gap is found without keeping the ids.
  const seen = new Uint8Array(n);
  let harvested = 0;
  const samples: string[] = [];
  const sampleEvery = Math.max(1, Math.floor(n / pageSize / 4));
  let query = new URLSearchParams({ verb: 'ListRecords', metadataPrefix: 'oai_dc' });
  let requests = 0;
  const start = performance.now();
  for (;;) {
    const response = await handleOaiRequest(query, source, config);
    requests++;
    if (response.status !== 200 || response.xml.includes('<error ')) {
      throw new Error(`Harvest failed at request ${requests}: ${response.xml.slice(0, 500)}`);
    }
    for (const m of response.xml.matchAll(/<header><identifier>oai:[^:]+:r(\d+)<\/identifier>/g)) {
      const i = Number(m[1]) - 1;
      if (seen[i] !== 0) throw new Error(`Record ${i + 1} harvested twice`);
      seen[i] = 1;
      harvested++;
    }
    if (requests % sampleEvery === 0) {
      // What the harvest keeps alive: the heap after a full collection (node --expose-gc).
      globalThis.gc?.();
      samples.push(`${mb(process.memoryUsage().heapUsed)}/${mb(process.memoryUsage().rss)}`);
    }
    const token = /<resumptionToken[^>]*>([^<]*)<\/resumptionToken>|<resumptionToken[^>]*\/>/.exec(response.xml);
    const value = token?.[1] ?? '';
    if (value === '') break;
    query = new URLSearchParams({ verb: 'ListRecords', resumptionToken: value });
  }
  const wallMs = performance.now() - start;
  if (harvested !== n || seen.includes(0)) throw new Error(`Harvested ${harvested} of ${n} records`);
  return {
    records: harvested,
    requests,
    wallMs,
    heapSamplesMb: samples,
    peakRssMb: mb(process.resourceUsage().maxRSS * 1024),
  };
}

function row(r: HarvestResult): string {
  return (
    `${String(r.records).padEnd(10)}${String(r.requests).padEnd(11)}${`${(r.wallMs / 1000).toFixed(1)} s`.padEnd(10)}` +
    `${String(Math.round(r.records / (r.wallMs / 1000))).padEnd(12)}${r.heapSamplesMb.join(' ').padEnd(47)}${r.peakRssMb}`
  );
}

/**
 * The old generation's cap for each harvest: a harvest whose memory grew with the list would run out at the
 * larger size; a constant one finishes both.
 */
const HEAP_CAP_MB = 48;

/**
 * V8 flag sets the harvests run under. With the defaults, V8 sizes the young generation by the allocation
 * rate (each response is a few hundred kB of short-lived strings), so RSS creeps up over a long harvest
 * while the live heap stays flat; with the semi-spaces fixed at 2 MB, RSS shows only what is retained.
 */
const FLAG_SETS: Array<{ label: string; flags: string[] }> = [
  { label: 'default young generation', flags: [] },
  { label: 'semi-spaces fixed at 2 MB', flags: ['--max-semi-space-size=2'] },
];

/** Each size in a fresh process, so each peak RSS is that harvest's alone. */
function benchOai(records: number, pageSize: number): void {
  console.log(
    `OAI-PMH harvest, ListRecords oai_dc, ${pageSize} records per response; each run in its own process, ` +
      `old generation capped at ${HEAP_CAP_MB} MB`,
  );
  for (const { label, flags } of FLAG_SETS) {
    console.log(`\n${label}`);
    console.log(
      'records   requests   time      records/s   heap after GC / RSS along it (MB)              peak RSS (MB)',
    );
    for (const n of [records, records * 5]) {
      const child = spawnSync(
        process.execPath,
        [
          '--expose-gc',
          `--max-old-space-size=${HEAP_CAP_MB}`,
          ...flags,
          fileURLToPath(import.meta.url),
          'oai-one',
          '--records',
          String(n),
          '--page-size',
          String(pageSize),
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
      );
      if (child.status !== 0) throw new Error(`The harvest of ${n} records failed.`);
      console.log(child.stdout.trim());
    }
  }
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    records: { type: 'string', default: '10000' },
    'page-size': { type: 'string', default: '100' },
  },
});
const part = positionals[0] ?? 'oai';
const records = Number(values.records);
const pageSize = Number(values['page-size']);
if (!Number.isInteger(records) || records < 1 || !Number.isInteger(pageSize) || pageSize < 1) {
  console.error('--records and --page-size must be positive integers.');
  process.exit(2);
}
if (part === 'oai') benchOai(records, pageSize);
else if (part === 'oai-one') console.log(row(await harvest(records, pageSize)));
else {
  console.error(`Unknown part "${part}"; available: oai.`);
  process.exit(2);
}
