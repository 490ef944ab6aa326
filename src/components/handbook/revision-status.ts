import type { RevisionStatus } from '#db/schema/index.ts';

/** How a revision's workflow status reads on the educator pages (the stored values are identifiers). */
export const REVISION_STATUS_LABELS: Record<RevisionStatus, string> = {
  draft: 'Draft',
  'in-review': 'In review',
  'changes-requested': 'Changes requested',
  approved: 'Approved, not yet published',
  published: 'Published',
};
