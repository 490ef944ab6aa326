/** How pages name membership statuses and history events. */
import type { MembershipStatus } from '#db/schema/index.ts';

export const MEMBERSHIP_STATUS_LABELS: Record<MembershipStatus, string> = {
  pending: 'Pending (application under review)',
  active: 'Active',
  grace: 'Expired, in the grace period',
  lapsed: 'Lapsed',
  suspended: 'Suspended',
  resigned: 'Resigned',
};

const EVENT_LABELS: Record<string, string> = {
  applied: 'Applied',
  approved: 'Approved',
  'category-changed': 'Category changed',
  'application-rejected': 'Application rejected',
  renewed: 'Renewed',
  grace: 'Expired (grace period began)',
  lapsed: 'Lapsed',
  suspended: 'Suspended',
  reinstated: 'Reinstated',
  resigned: 'Resigned',
  'payment-recorded': 'Payment recorded',
};

/** A history event's kind as a page shows it (unknown kinds as written). */
export function membershipEventLabel(kind: string): string {
  return EVENT_LABELS[kind] ?? kind;
}
