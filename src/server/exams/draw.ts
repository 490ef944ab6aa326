/**
 * Drawing an attempt's items for a blueprint, deterministically per seed: the same pool, blueprint and seed
 * always give the same items in the same order, so a draw can be re-derived and audited.
 */
import type { Difficulty } from './item-format.ts';

export interface DrawableItem {
  /** The item version id that will be delivered. */
  id: string;
  category: string;
  difficulty: Difficulty;
  status: 'draft' | 'review' | 'live' | 'retired';
}

export interface BlueprintRow {
  category: string;
  count: number;
  /** Optional difficulty band: only items of this difficulty count for the row. */
  difficulty?: Difficulty | undefined;
}

export type DrawResult =
  | { ok: true; itemIds: string[] }
  | { ok: false; shortfalls: { category: string; difficulty: Difficulty | null; needed: number; available: number }[] };

/**
 * splitmix32 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014, with the
 * 32-bit constants of its common variant): a one-word state advanced by the golden-ratio increment and
 * mixed. Ample for shuffling a bank; not cryptographic, and the seed itself comes from the server's CSPRNG.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return ((z ^ (z >>> 16)) >>> 0) / 4294967296;
  };
}

/**
 * Draws `count` live items per blueprint row, without replacement across rows, never a draft, an item in
 * review or a retired item. Rows are filled in blueprint order; the pool is sorted by id first so the
 * database's row order does not matter. Fails with every shortfall when the bank cannot fill a row.
 */
export function drawItems(pool: readonly DrawableItem[], blueprint: readonly BlueprintRow[], seed: number): DrawResult {
  const random = seededRandom(seed);
  const live = pool.filter((item) => item.status === 'live').sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const taken = new Set<string>();
  const itemIds: string[] = [];
  const shortfalls: Extract<DrawResult, { ok: false }>['shortfalls'] = [];
  for (const row of blueprint) {
    const candidates = live.filter(
      (item) =>
        !taken.has(item.id) &&
        item.category === row.category &&
        (row.difficulty === undefined || item.difficulty === row.difficulty),
    );
    if (candidates.length < row.count) {
      shortfalls.push({
        category: row.category,
        difficulty: row.difficulty ?? null,
        needed: row.count,
        available: candidates.length,
      });
      continue;
    }
    // Partial Fisher-Yates (Knuth, TAOCP vol. 2, Algorithm P): the first `count` places are a uniform sample.
    for (let i = 0; i < row.count; i++) {
      const j = i + Math.floor(random() * (candidates.length - i));
      const picked = candidates[j] as DrawableItem;
      candidates[j] = candidates[i] as DrawableItem;
      candidates[i] = picked;
      taken.add(picked.id);
      itemIds.push(picked.id);
    }
  }
  return shortfalls.length > 0 ? { ok: false, shortfalls } : { ok: true, itemIds };
}
