import { expect, test } from 'vitest';
import { seedDemo } from '#scripts/demo-seed.ts';
import { journalOaiSource } from '#src/server/services/journal-metadata-source.ts';
import { useTestDb } from '#test/helpers/db.ts';

const handle = useTestDb();
const ORIGIN = 'https://portal.example';

test('the OAI-PMH source walks published articles by (updatedAt, id) one page at a time', async () => {
  await seedDemo(handle.db, { production: false });
  const source = journalOaiSource(handle.db, ORIGIN);
  expect(await source.count({})).toBe(3);
  const seen: { id: string; updatedAt: number }[] = [];
  let after: { updatedAt: number; id: string } | undefined;
  for (;;) {
    const page = await source.page({ limit: 1, ...(after ? { after } : {}) });
    if (page.length === 0) break;
    const [record] = page;
    if (!record) break;
    seen.push({ id: record.id, updatedAt: record.updatedAt });
    after = { updatedAt: record.updatedAt, id: record.id };
  }
  expect(seen).toHaveLength(3);
  const sorted = [...seen].sort((a, b) => a.updatedAt - b.updatedAt || (a.id < b.id ? -1 : 1));
  expect(seen).toEqual(sorted);
  expect(await source.earliestDatestamp()).toBe(seen[0]?.updatedAt);

  // Sets are article types; from/until bound updatedAt inclusively.
  expect((await source.page({ limit: 10, set: 'translation' })).map((r) => r.type)).toEqual(['translation']);
  expect(await source.count({ set: 'translation' })).toBe(1);
  const last = seen.at(-1);
  const fromLast = await source.page({ limit: 10, from: last?.updatedAt });
  expect(fromLast.map((r) => r.id)).toContain(last?.id);
  expect(fromLast.every((r) => r.updatedAt >= (last?.updatedAt ?? 0))).toBe(true);
  expect(await source.page({ limit: 10, until: (seen[0]?.updatedAt ?? 0) - 1 })).toEqual([]);

  // One record, with its links and no personal data beyond the published authors.
  const translation = (await source.page({ limit: 10, set: 'translation' }))[0];
  const record = await source.get(translation?.id ?? '');
  expect(record?.url).toBe(`${ORIGIN}/journal/articles/${translation?.id}`);
  expect(record?.original?.title.language).toBe('zh');
  expect(record?.translators.map((t) => t.surname)).toEqual(['Translator']);
  expect(JSON.stringify(record)).not.toContain('@');
  expect(await source.get('no-such-id')).toBeUndefined();
});
