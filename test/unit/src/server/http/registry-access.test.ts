import { expect, test } from 'vitest';
import { allowRegistryRequest } from '#src/server/http/registry-access.ts';

test('the registry allows `limit` requests a minute per address, then refuses until the next minute', () => {
  const minute = Date.UTC(2030, 0, 1, 12, 0);
  const address = '198.51.100.77';
  for (let i = 0; i < 5; i++) expect(allowRegistryRequest(address, minute + i, 5)).toBe(true);
  expect(allowRegistryRequest(address, minute + 10, 5)).toBe(false);
  // Another address, and another address of the same IPv6 /64, are counted apart / together.
  expect(allowRegistryRequest('198.51.100.78', minute + 10, 5)).toBe(true);
  for (let i = 0; i < 5; i++) expect(allowRegistryRequest(`2001:db8:1:2::${i + 1}`, minute, 5)).toBe(true);
  expect(allowRegistryRequest('2001:db8:1:2::99', minute, 5)).toBe(false);
  expect(allowRegistryRequest(address, minute + 60_000, 5)).toBe(true);
});
