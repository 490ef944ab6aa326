import { expect, test } from 'vitest';
import { seedDemo } from '#scripts/demo-seed.ts';
import { formatCitation, toBibtex, toRis } from '#src/lib/journal-metadata/citations.ts';
import { highwireTags } from '#src/lib/journal-metadata/highwire.ts';
import { handleOaiRequest } from '#src/lib/journal-metadata/oai-pmh.ts';
import { journalInfo, searchArticles } from '#src/server/services/journal-articles.ts';
import { articleMetadata, journalOaiSource } from '#src/server/services/journal-metadata-source.ts';
import { useTestDb } from '#test/helpers/db.ts';

const handle = useTestDb();
const ORIGIN = 'https://portal.example';
const SEEDED_AT = Date.UTC(2026, 11, 4, 12);

/**
 * The seeded demo study (published 30 days before the seed ran, so on 4 November 2026, the first article of
 * 2026) cited in Vancouver as the NLM's Citing Medicine (2nd ed., ch. 1) writes a journal article with an
 * electronic article number: authors as surname and initials, title, abbreviated journal title, date of
 * publication, article number in place of pages, DOI.
 */
test('the DOI and the Vancouver citation of a known article match the hand-written reference', async () => {
  await seedDemo(handle.db, { production: false, now: SEEDED_AT });
  const [study] = (await searchArticles(handle.db, { q: 'percutaneous', page: 1 })).articles;
  const meta = await articleMetadata(handle.db, study?.id ?? '', ORIGIN);
  if (!meta) throw new Error('no demo article');
  const journal = journalInfo(ORIGIN);
  expect(meta.doi).toBe('10.5555/iecpa.2026.001');
  expect(formatCitation(meta, journal, 'vancouver')).toBe(
    'Member M, Souza A. Enhanced external counterpulsation for residual angina after percutaneous coronary intervention: a prospective cohort (demo data). IECPA J. 2026 Nov 4;e2026001. doi:10.5555/iecpa.2026.001',
  );
  expect(toBibtex(meta, journal)).toContain('doi = {10.5555/iecpa.2026.001}');
  expect(toRis(meta, journal)).toContain('DO  - 10.5555/iecpa.2026.001');
  const tags = highwireTags(meta, journal);
  expect(tags).toContainEqual({ name: 'citation_doi', content: '10.5555/iecpa.2026.001' });
  expect(tags.filter((t) => t.name === 'citation_author').map((t) => t.content)).toEqual([
    'Member, Maria',
    'Souza, Ana',
  ]);
});

test('OAI-PMH over the journal database: Identify, and ListRecords paged with resumption tokens', async () => {
  await seedDemo(handle.db, { production: false, now: SEEDED_AT });
  const config = {
    baseUrl: `${ORIGIN}/oai`,
    repositoryName: 'IECPA Journal',
    adminEmails: ['journal@iecpa.org'],
    host: 'portal.example',
    journal: journalInfo(ORIGIN),
    pageSize: 2,
  };
  const source = journalOaiSource(handle.db, ORIGIN);
  const identify = await handleOaiRequest({ verb: ['Identify'] }, source, config);
  expect(identify.xml).toContain('<earliestDatestamp>');
  const identifiers: string[] = [];
  let params: Record<string, string[]> = { verb: ['ListRecords'], metadataPrefix: ['oai_dc'] };
  for (let request = 0; request < 5; request++) {
    const { status, xml } = await handleOaiRequest(params, source, config);
    expect(status).toBe(200);
    identifiers.push(...[...xml.matchAll(/<identifier>(oai:[^<]+)<\/identifier>/g)].map((m) => m[1] ?? ''));
    const token = xml.match(/<resumptionToken[^>]*>([^<]*)<\/resumptionToken>/)?.[1];
    if (!token) break;
    params = { verb: ['ListRecords'], resumptionToken: [token] };
  }
  expect(identifiers).toHaveLength(3);
  expect(new Set(identifiers).size).toBe(3);
  const bad = await handleOaiRequest({ verb: ['ListRecords'], resumptionToken: ['not-a-token'] }, source, config);
  expect(bad.xml).toContain('code="badResumptionToken"');
});
