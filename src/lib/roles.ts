/** Roles a user may hold (several at once). Membership categories are a separate concept. */
export const ROLES = ['member', 'educator', 'examiner', 'editor', 'reviewer', 'admin', 'translator'] as const;
export type Role = (typeof ROLES)[number];

/** Roles whose holders must have a TOTP second factor before they can use the role (README, Roles and access). */
export const ROLES_REQUIRING_TOTP: readonly Role[] = ['admin', 'examiner', 'editor'];

export const ROLE_LABELS: Record<Role, string> = {
  member: 'Member',
  educator: 'Educator',
  examiner: 'Examiner',
  editor: 'Journal editor',
  reviewer: 'Reviewer',
  admin: 'Administrator',
  translator: 'Journal translator',
};
