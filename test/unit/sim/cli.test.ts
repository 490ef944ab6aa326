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
