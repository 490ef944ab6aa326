import { webcrypto } from 'node:crypto';
import { expect, test } from 'vitest';
import { answerEmptyDigestsFromMemory } from '#src/server/http/empty-digest.ts';

/** A SubtleCrypto of its own (a fresh object over Web Crypto's), so the test leaves the global one alone. */
function ownSubtle(): { subtle: SubtleCrypto; jobs: () => number } {
  let jobs = 0;
  const real = webcrypto.subtle;
  const subtle = Object.create(real) as SubtleCrypto;
  subtle.digest = (algorithm: AlgorithmIdentifier, data: BufferSource) => {
    jobs++;
    return real.digest(algorithm, data);
  };
  answerEmptyDigestsFromMemory(subtle);
  return { subtle, jobs: () => jobs };
}

const hex = (buffer: ArrayBuffer): string => Buffer.from(buffer).toString('hex');

test('answers digests of empty input exactly as Web Crypto does, asking it once per algorithm', async () => {
  const { subtle, jobs } = ownSubtle();
  for (const algorithm of ['SHA-256', 'SHA-384', 'SHA-512'] as const) {
    const expected = hex(await webcrypto.subtle.digest(algorithm, new Uint8Array(0)));
    for (let i = 0; i < 3; i++) {
      expect(hex(await subtle.digest(algorithm, new Uint8Array(0)))).toBe(expected);
      expect(hex(await subtle.digest({ name: algorithm.toLowerCase() }, new ArrayBuffer(0)))).toBe(expected);
    }
  }
  expect(jobs()).toBe(3);
});

test('hashes every non-empty input', async () => {
  const { subtle, jobs } = ownSubtle();
  const data = new TextEncoder().encode('body { color: red }');
  const expected = hex(await webcrypto.subtle.digest('SHA-256', data));
  expect(hex(await subtle.digest('SHA-256', data))).toBe(expected);
  expect(hex(await subtle.digest('SHA-256', data))).toBe(expected);
  expect(jobs()).toBe(2);
});

test('gives each caller its own buffer', async () => {
  const { subtle } = ownSubtle();
  const first = new Uint8Array(await subtle.digest('SHA-256', new Uint8Array(0)));
  first.fill(0);
  const second = new Uint8Array(await subtle.digest('SHA-256', new Uint8Array(0)));
  expect(second.some((byte) => byte !== 0)).toBe(true);
});

test('keeps refusing an unknown algorithm instead of remembering the failure', async () => {
  const { subtle, jobs } = ownSubtle();
  await expect(subtle.digest('MD5', new Uint8Array(0))).rejects.toThrow();
  await expect(subtle.digest('MD5', new Uint8Array(0))).rejects.toThrow();
  expect(jobs()).toBe(2);
});
