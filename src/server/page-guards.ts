import { hasMembersAccess, MEMBERS_ONLY_MESSAGE } from '#src/lib/access.ts';
import { ROLES_REQUIRING_TOTP, type Role } from '#src/lib/roles.ts';
import type { SessionUser } from './auth/session.ts';
import { type RefusingPage, refusePage } from './page-refusal.ts';

/** What the guards need of a page's `Astro` or an endpoint's context. */
interface GuardContext extends RefusingPage {
  redirect(path: string, status?: 302 | 303): Response;
}

/** The way on from a members' page or download refused to someone who is not a member in good standing. */
const TO_MEMBERSHIP = { href: '/membership/status', label: 'See your membership' };

/** The sentence a members' page refused to an applicant, a lapsed or a suspended member begins with. */
const MEMBERS_PAGE_MESSAGE =
  'This page is for members of IECPA in good standing. Apply for membership, follow your application or renew it from your membership page.';

/**
 * The refusal of a page to a signed-in person whose account lacks the role it needs, shown at the page's own
 * address: a members' page leads to the membership, any other role to the secretariat.
 */
export function refuseForRole(context: RefusingPage, role: Role): Promise<Response> {
  if (role === 'member') {
    return refusePage(context, 403, MEMBERS_PAGE_MESSAGE, TO_MEMBERSHIP);
  }
  return refusePage(
    context,
    403,
    'Your account does not hold the role this page needs. If you think it should, write to the IECPA secretariat naming the page you tried to open.',
    { href: '/contact', label: 'Write to the secretariat' },
  );
}

/**
 * The signed-in user a page needs, or the redirect that gets them there: to sign in, to finish the second
 * factor, or to set one up when their role demands it. A page whose role the account lacks is refused (403).
 */
export function requireUser(
  astro: GuardContext,
  role?: Role,
): { user: SessionUser; response: null } | { user: null; response: Response | Promise<Response> } {
  const { user, session } = astro.locals;
  const here = astro.url.pathname + astro.url.search;
  if (!user || !session) {
    return { user: null, response: astro.redirect(`/sign-in?next=${encodeURIComponent(here)}`, 303) };
  }
  if (!session.twoFactorVerified) {
    return { user: null, response: astro.redirect(`/sign-in/two-factor?next=${encodeURIComponent(here)}`, 303) };
  }
  if (role && !user.roles.includes(role)) {
    return { user: null, response: refuseForRole(astro, role) };
  }
  if (role && ROLES_REQUIRING_TOTP.includes(role) && !user.totpEnabled) {
    return { user: null, response: astro.redirect('/account/security?required=1', 303) };
  }
  return { user, response: null };
}

/**
 * The fully signed-in user (second factor passed when they have one), or null: a session that still owes
 * its second factor is a visitor everywhere but the two-factor page. The one test for "is someone signed in"
 * on pages and endpoints that also serve visitors (pages that need a user call requireUser).
 */
export function signedInUser(locals: App.Locals): SessionUser | null {
  return locals.user && locals.session?.twoFactorVerified ? locals.user : null;
}

/**
 * For a members' download (a PDF): the member in good standing, or the answer instead of the file: the
 * sign-in redirect for a visitor, and the refusal page with the members-only message (403) and the way to the
 * membership for anyone else.
 */
export function requireMemberForDownload(
  context: GuardContext & RefusingPage,
): { user: SessionUser; response: null } | { user: null; response: Response | Promise<Response> } {
  const user = signedInUser(context.locals);
  if (!user) {
    return {
      user: null,
      response: context.redirect(`/sign-in?next=${encodeURIComponent(context.url.pathname)}`, 303),
    };
  }
  if (!hasMembersAccess(user)) {
    return {
      user: null,
      response: refusePage(context, 403, MEMBERS_ONLY_MESSAGE, TO_MEMBERSHIP),
    };
  }
  return { user, response: null };
}
