/**
 * An in-memory OaiSource over a sorted array, for the OAI-PMH unit tests and the harvest benchmark: the
 * same contract the journal's database source meets (records ordered by (updatedAt, id), bounds inclusive,
 * `after` exclusive), with binary search so a page costs what an indexed query would.
 */
import { ARTICLE_TYPES } from '#src/lib/journal-metadata/common.ts';
import type { OaiCursor, OaiPageQuery, OaiSource } from '#src/lib/journal-metadata/oai-pmh.ts';
import type { ArticleMetadata } from '#src/lib/journal-metadata/types.ts';

const compare = (a: OaiCursor, b: OaiCursor): number =>
  a.updatedAt - b.updatedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export class MemoryOaiSource implements OaiSource {
  private records: ArticleMetadata[];
  /** How many times page() was called (a harvest's request count). */
  pages = 0;

  constructor(records: ArticleMetadata[]) {
    this.records = [...records].sort(compare);
  }

  /** Replaces a record (as an edit would), keeping the order. */
  update(record: ArticleMetadata): void {
    this.records = [...this.records.filter((r) => r.id !== record.id), record].sort(compare);
  }

  async earliestDatestamp(): Promise<number | undefined> {
    return this.records[0]?.updatedAt;
  }

  private firstAfter(cursor: OaiCursor): number {
    let lo = 0;
    let hi = this.records.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(this.records[mid] as ArticleMetadata, cursor) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private matches(r: ArticleMetadata, q: Omit<OaiPageQuery, 'after' | 'limit'>): boolean {
    return (
      (q.from === undefined || r.updatedAt >= q.from) &&
      (q.until === undefined || r.updatedAt <= q.until) &&
      (q.set === undefined || r.type === q.set)
    );
  }

  async page(query: OaiPageQuery): Promise<ArticleMetadata[]> {
    this.pages++;
    let i = query.after
      ? this.firstAfter(query.after)
      : query.from !== undefined
        ? this.firstAfter({ updatedAt: query.from - 1, id: '\uffff' })
        : 0;
    const out: ArticleMetadata[] = [];
    for (; i < this.records.length && out.length < query.limit; i++) {
      const r = this.records[i] as ArticleMetadata;
      if (query.until !== undefined && r.updatedAt > query.until) break;
      if (this.matches(r, query)) out.push(r);
    }
    return out;
  }

  async get(id: string): Promise<ArticleMetadata | undefined> {
    return this.records.find((r) => r.id === id);
  }

  async count(query: Omit<OaiPageQuery, 'after' | 'limit'>): Promise<number> {
    return this.records.filter((r) => this.matches(r, query)).length;
  }
}

/**
 * `n` records made from a template: ids r000001…, types in turn, updatedAt advancing one second every three
 * records from `start` (so equal datestamps are ordered by id).
 */
export function manyRecords(template: ArticleMetadata, n: number, start = Date.UTC(2026, 0, 1)): ArticleMetadata[] {
  const out: ArticleMetadata[] = [];
  for (let i = 0; i < n; i++) {
    const id = `r${String(i + 1).padStart(6, '0')}`;
    out.push({
      ...template,
      id,
      doi: `10.5555/iecpa.bench.${id}`,
      url: `https://portal.iecpa.example/journal/articles/${id}`,
      title: `${template.title} (${id})`,
      type: ARTICLE_TYPES[i % ARTICLE_TYPES.length] ?? 'original-research',
      updatedAt: start + Math.floor(i / 3) * 1000,
    });
  }
  return out;
}
