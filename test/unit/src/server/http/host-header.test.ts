import { expect, test } from 'vitest';
import { isValidHostHeader } from '#src/server/http/host-header.ts';

test('takes the hosts a browser or a proxy sends', () => {
  for (const host of [
    'localhost',
    'localhost:4321',
    '127.0.0.1:8080',
    'portal.iecpa.org',
    'portal.iecpa.org.',
    'xn--bcher-kva.example',
    '[::1]',
    '[::1]:4321',
    '[2001:db8::1]:443',
    'a-b.example:65535',
  ]) {
    expect(isValidHostHeader(host), host).toBe(true);
  }
});

test('refuses hosts no URL can be built from', () => {
  for (const host of [
    undefined,
    '',
    'a b',
    'evil.example/path',
    'evil.example\\x',
    'user@evil.example',
    'evil.example:',
    'evil.example:99999',
    'evil.example:80:80',
    '-evil.example',
    'evil..example',
    '::1',
    '[::1',
    '[zz::1]',
    'evil.example#x',
    'evil.example?x',
    `${'a'.repeat(64)}.example`,
    'a'.repeat(300),
  ]) {
    expect(isValidHostHeader(host), String(host)).toBe(false);
  }
});
