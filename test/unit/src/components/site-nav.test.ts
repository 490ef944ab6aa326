import { expect, test } from 'vitest';
import {
  isCurrentLink,
  MEMBERSHIP_ACCOUNT_LINKS,
  MEMBERSHIP_ADMIN_LINKS,
  PRIMARY_NAV,
} from '#src/components/site-nav.ts';

test('home link is current only on the home page', () => {
  expect(isCurrentLink('/', '/')).toBe(true);
  expect(isCurrentLink('/', '/mission')).toBe(false);
});

test('a section link is current on its page and on its sub-pages', () => {
  expect(isCurrentLink('/handbook', '/handbook')).toBe(true);
  expect(isCurrentLink('/handbook', '/handbook/05-ecg-triggering-and-timing')).toBe(true);
});

test('a trailing slash does not stop a link being current', () => {
  expect(isCurrentLink('/ethics', '/ethics/')).toBe(true);
});

test('a link is not current on a page whose path merely starts with the same letters', () => {
  expect(isCurrentLink('/history', '/historyx')).toBe(false);
  expect(isCurrentLink('/about-ecp', '/about')).toBe(false);
});

test('primary navigation lists the ten sections, membership and the practitioner search after About ECP', () => {
  expect(PRIMARY_NAV.map((link) => link.href)).toEqual([
    '/',
    '/about-ecp',
    '/membership',
    '/find-a-practitioner',
    '/simulator',
    '/handbook',
    '/curriculum',
    '/mission',
    '/ethics',
    '/history',
  ]);
});

test('the header marks Membership current on the member’s own status page and the search on its results', () => {
  // The account menu's Membership link (/membership/status) sits below the header's /membership, so the
  // header marks Membership current on the status page, which is where that page belongs.
  expect(isCurrentLink('/membership', '/membership/status')).toBe(true);
  expect(isCurrentLink('/find-a-practitioner', '/find-a-practitioner/abc')).toBe(true);
});

test('account and admin menus link to every membership page, each once', () => {
  const hrefs = [...MEMBERSHIP_ACCOUNT_LINKS, ...MEMBERSHIP_ADMIN_LINKS].map((link) => link.href);
  expect(hrefs).toEqual([
    '/membership/status',
    '/account/profile',
    '/account/data',
    '/credentials',
    '/admin/members',
    '/admin/applications',
    '/admin/closures',
    '/admin/categories',
    '/admin/credentials',
  ]);
});
