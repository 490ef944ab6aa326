import { expect, test } from 'vitest';
import { isCurrentLink, PRIMARY_NAV } from '#src/components/site-nav.ts';

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

test('primary navigation lists the eight sections, the curriculum after the handbook', () => {
  expect(PRIMARY_NAV.map((link) => link.href)).toEqual([
    '/',
    '/about-ecp',
    '/simulator',
    '/handbook',
    '/curriculum',
    '/mission',
    '/ethics',
    '/history',
  ]);
});
