/** A link in the site's navigation. */
export interface NavLink {
  href: string;
  label: string;
}

/** Primary navigation, in display order. /simulator and /handbook are served by later parts of the portal. */
export const PRIMARY_NAV: readonly NavLink[] = [
  { href: '/', label: 'Home' },
  { href: '/about-ecp', label: 'About ECP' },
  { href: '/simulator', label: 'Simulator' },
  { href: '/handbook', label: 'Handbook' },
  { href: '/curriculum', label: 'Curriculum' },
  { href: '/mission', label: 'Mission' },
  { href: '/ethics', label: 'Ethics' },
  { href: '/history', label: 'History' },
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
  { href: '/register', label: 'Join IECPA' },
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
