/** A link in the site's navigation. */
export interface NavLink {
  href: string;
  label: string;
}

/** Primary navigation, in display order: what visitors come for (joining, finding a practitioner) first. */
export const PRIMARY_NAV: readonly NavLink[] = [
  { href: '/', label: 'Home' },
  { href: '/about-ecp', label: 'About ECP' },
  { href: '/membership', label: 'Membership' },
  { href: '/find-a-practitioner', label: 'Find a practitioner' },
  { href: '/simulator', label: 'Simulator' },
  { href: '/handbook', label: 'Handbook' },
  { href: '/curriculum', label: 'Curriculum' },
  { href: '/mission', label: 'Mission' },
  { href: '/ethics', label: 'Ethics' },
  { href: '/history', label: 'History' },
];

/**
 * The signed-in user's own membership pages, in the account menu. "My membership", not "Membership": the
 * header's Membership link (the categories) is in the same banner, and two links of one name to two pages
 * leave screen-reader users guessing.
 */
export const MEMBERSHIP_ACCOUNT_LINKS: readonly NavLink[] = [
  { href: '/membership/status', label: 'My membership' },
  { href: '/account/profile', label: 'Profile' },
  { href: '/account/data', label: 'Your data' },
  { href: '/credentials', label: 'My credentials' },
];

/** Membership administration, in the account menu of administrators. */
export const MEMBERSHIP_ADMIN_LINKS: readonly NavLink[] = [
  { href: '/admin/members', label: 'Members' },
  { href: '/admin/applications', label: 'Applications' },
  { href: '/admin/closures', label: 'Closures' },
  { href: '/admin/categories', label: 'Categories' },
  { href: '/admin/credentials', label: 'Credentials' },
];

/** The association's pages, listed in the footer. */
export const ASSOCIATION_LINKS: readonly NavLink[] = [
  { href: '/about-ecp', label: 'About ECP' },
  { href: '/mission', label: 'Mission' },
  { href: '/ethics', label: 'Code of ethics' },
  { href: '/history', label: 'History' },
];

/** Links for members and the public, listed in the footer. */
export const SERVICE_LINKS: readonly NavLink[] = [
  { href: '/handbook', label: 'Handbook' },
  { href: '/simulator', label: 'Simulator' },
  { href: '/curriculum', label: 'Curriculum' },
  { href: '/find-a-practitioner', label: 'Find a practitioner' },
  { href: '/verify', label: 'Verify a certificate' },
  { href: '/register', label: 'Join IECPA' },
  { href: '/registry', label: 'Registry of certified practitioners' },
  { href: '/journal', label: 'IECPA Journal' },
];

/** The legal pages and the way to reach the association, in the footer's last line on every page. */
export const LEGAL_LINKS: readonly NavLink[] = [
  { href: '/privacy', label: 'Privacy notice' },
  { href: '/terms', label: 'Terms of use' },
  { href: '/contact', label: 'Contact us' },
];

export const ASSOCIATION_NAME = 'International External Counterpulsation Association';
export const ASSOCIATION_SHORT_NAME = 'IECPA';

/**
 * Whether a navigation link points at the page being shown (or a section containing it), so it can carry
 * aria-current. Home matches only itself; other links also match their sub-pages (/handbook/chapter-1).
 */
export function isCurrentLink(href: string, pathname: string): boolean {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  if (href === '/') return path === '/';
  return path === href || path.startsWith(`${href}/`);
}
