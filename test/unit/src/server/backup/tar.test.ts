import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { readTarGz, writeTarGz } from '#src/server/backup/tar.ts';

const dir = mkdtempSync(join(tmpdir(), 'iecpa-tar-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function readAll(path: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  await readTarGz(path, (entry) => {
    const chunks: Buffer[] = [];
    return {
      write: (chunk) => chunks.push(Buffer.from(chunk)),
      end: async () => {
        files.set(entry.name, Buffer.concat(chunks));
      },
    };
  });
  return files;
}

test('files of any size and long paths round-trip, and tar reads the archive', async () => {
  const longName = `uploads/${'folder-name/'.repeat(12)}file.bin`;
  expect(longName.length).toBeGreaterThan(100);
  const onDisk = join(dir, 'big.bin');
  const big = Buffer.alloc(3 * 1024 * 1024 + 17, 0);
  for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
  writeFileSync(onDisk, big);
  const entries = [
    { name: 'empty.txt', bytes: Buffer.alloc(0), size: 0 },
    { name: 'block.bin', bytes: Buffer.alloc(512, 7), size: 512 },
    { name: longName, bytes: Buffer.from('deep'), size: 4 },
    { name: 'big.bin', path: onDisk, size: big.length },
  ];
  const archive = join(dir, 'round.tar.gz');
  await writeTarGz(archive, entries);
  const files = await readAll(archive);
  expect([...files.keys()]).toEqual(['empty.txt', 'block.bin', longName, 'big.bin']);
  expect(files.get('empty.txt')?.length).toBe(0);
  expect(files.get('block.bin')?.equals(Buffer.alloc(512, 7))).toBe(true);
  expect(files.get(longName)?.toString()).toBe('deep');
  expect(files.get('big.bin')?.equals(big)).toBe(true);
  const listing = execFileSync('tar', ['-tzf', archive], { encoding: 'utf8' }).trim().split('\n');
  expect(listing).toEqual(['empty.txt', 'block.bin', longName, 'big.bin']);
});

test('an existing target, a size that changed and an unsplittable path are refused', async () => {
  const archive = join(dir, 'exists.tar.gz');
  writeFileSync(archive, 'already here');
  await expect(writeTarGz(archive, [])).rejects.toThrow(/EEXIST/);
  expect(readFileSync(archive, 'utf8')).toBe('already here');
  const source = join(dir, 'shrunk.txt');
  writeFileSync(source, 'abc');
  await expect(
    writeTarGz(join(dir, 'shrunk.tar.gz'), [{ name: 'shrunk.txt', path: source, size: 10 }]),
  ).rejects.toThrow(/changed size/);
  await expect(
    writeTarGz(join(dir, 'long.tar.gz'), [{ name: 'x'.repeat(300), bytes: Buffer.alloc(0), size: 0 }]),
  ).rejects.toThrow(/too long for a ustar archive/);
});

test('a damaged header checksum is refused', async () => {
  const archive = join(dir, 'bad-header.tar.gz');
  await writeTarGz(archive, [{ name: 'a.txt', bytes: Buffer.from('a'), size: 1 }]);
  const { gunzipSync, gzipSync } = await import('node:zlib');
  const tar = gunzipSync(readFileSync(archive));
  tar[0] = 'b'.charCodeAt(0);
  writeFileSync(archive, gzipSync(tar));
  await expect(readAll(archive)).rejects.toThrow(/header checksum does not match/);
});

test('a target that cannot be written fails the write, also for a file larger than the buffers', async () => {
  const archive = join(dir, 'taken.tar.gz');
  writeFileSync(archive, 'taken');
  const big = Buffer.alloc(8 * 1024 * 1024, 1);
  await expect(writeTarGz(archive, [{ name: 'big.bin', bytes: big, size: big.length }])).rejects.toThrow(/EEXIST/);
  expect(readFileSync(archive, 'utf8')).toBe('taken');
});
