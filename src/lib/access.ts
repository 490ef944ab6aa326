import type { Role } from './roles.ts';

/**
 * The one written access rule for learning content (issue: applicants, lapsed and suspended members read
 * everything while the pages said "members"):
 *
 * - The public reads the handbook's and curriculum's outlines and summaries, practises on the simulator
 *   (nothing saved), finds practitioners, and reads the association's pages.
 * - An account adds its own pages: membership application, profile, data, security, contact.
 * - A member in good standing (the `member` role, which follows membership status: active or grace) adds
 *   the full text of chapters and modules, search, the PDF, quizzes and progress, the CPD log, saved
 *   practice, assessments, the level certificate and the members' directory.
 * - Staff roles (educators, examiners, editors, reviewers, administrators) read the full text too: their
 *   work is on it.
 */
export const MEMBERS_CONTENT_ROLES: readonly Role[] = [
  'member',
  'educator',
  'examiner',
  'editor',
  'reviewer',
  'admin',
  'translator',
];

/** Whether `user` (fully signed in) may read members' learning content and record learning. */
export function hasMembersAccess(user: { roles: readonly Role[] } | null | undefined): boolean {
  return user?.roles.some((role) => MEMBERS_CONTENT_ROLES.includes(role)) ?? false;
}

/** What a signed-in account without members' access is told (pages and refusals say the same). */
export const MEMBERS_ONLY_MESSAGE =
  'The full handbook and curriculum, quizzes, progress and the CPD log are for members in good standing. Apply for membership, or renew it, to use them.';
