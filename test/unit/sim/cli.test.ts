import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const node = join(root, 'node_modules', '.bin', 'node');

function cli(...args: string[]) {
  return spawnSync(node, [join(root, 'sim', 'cli.ts'), ...args], { encoding: 'utf8', timeout: 60000 });
}

test('the CLI prints { beats, summary } as JSON for a preset', () => {
  const r = cli('--scenario', 'default-stable-angina', '--duration', '8', '--pressure', '250', '--json');
  expect(r.status).toBe(0);
  const out = JSON.parse(r.stdout) as { beats: unknown[]; summary: { beatCount: number } };
  expect(out.beats.length).toBeGreaterThan(5);
  expect(out.summary.beatCount).toBe(out.beats.length);
}, 60000);

test('the CLI exits 2 with a message naming the argument for a pressure out of range', () => {
  const r = cli('--scenario', 'default-stable-angina', '--pressure', '400');
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/--pressure: "400" is not a number between 0 and 300/);
}, 60000);

test('the CLI exits 2 for an unknown scenario and for an unknown option', () => {
  expect(cli('--scenario', 'no-such-preset').status).toBe(2);
  const r = cli('--scenario', 'bradycardia', '--turbo');
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/turbo/);
}, 60000);

test('the CLI gives the range message and exits 2 for negative, non-finite and too large values', () => {
  for (const [option, value, range] of [
    ['--pressure', '-5', '0 and 300'],
    ['--pressure', '350', '0 and 300'],
    ['--inflate', 'NaN', '0 and 1500'],
    ['--deflate', '-Infinity', '0 and 2000'],
    ['--stage-delay', 'Infinity', '0 and 100'],
  ] as const) {
    const r = cli('--scenario', 'default-stable-angina', option, value);
    expect(r.status, `${option} ${value}`).toBe(2);
    expect(r.stderr).toContain(`${option}: "${value}" is not a number between ${range}`);
  }
}, 60000);

test('the CLI refuses seeds that are not uint32 (2^32 and 0.4 would alias seed 0)', () => {
  for (const seed of ['4294967296', '0.4', '-1']) {
    const r = cli('--scenario', 'default-stable-angina', '--seed', seed);
    expect(r.status, seed).toBe(2);
    expect(r.stderr).toContain(`--seed: "${seed}" is not an integer between 0 and 4294967295`);
  }
}, 60000);
