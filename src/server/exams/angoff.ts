/**
 * The modified Angoff method (Angoff, "Scales, norms and equivalent scores", in Thorndike (ed.), Educational
 * Measurement, 2nd ed., 1971, p. 515; the "modified" form as in Cizek & Bunch, "Standard Setting", 2007,
 * ch. 6): each panellist estimates, for each item, the probability that a minimally competent candidate
 * answers it correctly; the cut score is the sum over items of the panel's mean estimate, here expressed
 * as a percentage of the items' total.
 */

export interface AngoffRating {
  raterId: string;
  itemId: string;
  /** Probability 0..1 that a minimally competent candidate answers the item correctly. */
  probability: number;
}

export interface AngoffCut {
  /** The cut as a percentage of the maximum score, 0..100. */
  cutPercent: number;
  /** Expected raw score of the minimally competent candidate (items score 0..1 each). */
  cutScore: number;
  perItem: { itemId: string; mean: number; ratings: number }[];
  raters: number;
}

export type AngoffResult = { ok: true; cut: AngoffCut } | { ok: false; message: string };

/** The cut from the panel's ratings over `itemIds`; every item needs at least one rating. */
export function angoffCut(itemIds: readonly string[], ratings: readonly AngoffRating[]): AngoffResult {
  if (itemIds.length === 0) return { ok: false, message: 'There are no items to rate.' };
  const bad = ratings.find((r) => !(r.probability >= 0 && r.probability <= 1));
  if (bad) return { ok: false, message: `A rating must be between 0 and 1 (item ${bad.itemId}).` };
  const perItem = itemIds.map((itemId) => {
    const own = ratings.filter((r) => r.itemId === itemId);
    const sum = own.reduce((s, r) => s + r.probability, 0);
    return { itemId, mean: own.length === 0 ? Number.NaN : sum / own.length, ratings: own.length };
  });
  const unrated = perItem.filter((p) => p.ratings === 0);
  if (unrated.length > 0) {
    return {
      ok: false,
      message: `${unrated.length} item(s) have no rating yet; the panel rates every item before the cut is set.`,
    };
  }
  const cutScore = perItem.reduce((s, p) => s + p.mean, 0);
  return {
    ok: true,
    cut: {
      cutScore,
      cutPercent: (cutScore / itemIds.length) * 100,
      perItem,
      raters: new Set(ratings.filter((r) => itemIds.includes(r.itemId)).map((r) => r.raterId)).size,
    },
  };
}
