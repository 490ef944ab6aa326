import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { renderMarkdown } from '#src/server/markdown.ts';
import { MAX_IMAGE_BYTES, readImage, sniffImageType, storeImage } from '#src/server/services/handbook-images.ts';
import { countAllRows, useTestDb } from '#test/helpers/db.ts';
import { callerFor, type MadeUser, makeUser } from '#test/helpers/factories.ts';
import { trpcErrorOf } from '#test/helpers/trpc.ts';

const handle = useTestDb();
let uploadDir: string;
let educator: MadeUser;
beforeAll(async () => {
  uploadDir = mkdtempSync(join(tmpdir(), 'iecpa-uploads-'));
  // The router reads UPLOAD_DIR on first use; this test file's worker reads this folder.
  process.env.UPLOAD_DIR = uploadDir;
  educator = await makeUser(handle.db, { roles: ['member', 'educator'] });
});
afterAll(() => rmSync(uploadDir, { recursive: true, force: true }));

/** The 8-byte PNG signature followed by filler: enough for the type check. */
function pngBytes(size: number): Uint8Array {
  const bytes = new Uint8Array(size).fill(7);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return bytes;
}

test('stores a PNG under its content hash, once, and serves it back', async () => {
  const bytes = pngBytes(2048);
  const first = await storeImage(handle.db, uploadDir, educator.id, bytes);
  const second = await storeImage(handle.db, uploadDir, educator.id, bytes);
  if (!first.ok) throw new Error(first.message);
  expect(first.fileName).toMatch(/^[0-9a-f]{64}\.png$/);
  expect(second).toEqual(first);
  expect(readdirSync(join(uploadDir, 'handbook'))).toEqual([first.fileName]);
  expect((await readImage(uploadDir, first.fileName))?.contentType).toBe('image/png');
  // The Markdown an educator pastes renders as an image.
  expect(renderMarkdown(`![Cuffs](${first.url})`).html).toContain(`<img src="${first.url}" alt="Cuffs">`);
});

test('refuses an oversize image and writes nothing', async () => {
  const before = await countAllRows(handle);
  expect(await storeImage(handle.db, uploadDir, educator.id, pngBytes(MAX_IMAGE_BYTES + 1))).toMatchObject({
    ok: false,
    code: 'PAYLOAD_TOO_LARGE',
    message: expect.stringContaining('larger than 750 KiB'),
  });
  expect(await countAllRows(handle)).toEqual(before);
});

test('refuses files that are not raster images, whatever they claim to be', async () => {
  const text = new TextEncoder().encode('just text pretending to be a .png');
  const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>');
  const html = new TextEncoder().encode('<!doctype html><script>alert(1)</script>');
  for (const bytes of [text, svg, html]) {
    expect(await storeImage(handle.db, uploadDir, educator.id, bytes)).toMatchObject({
      ok: false,
      code: 'BAD_REQUEST',
      message: expect.stringContaining('not a PNG, JPEG, GIF or WebP'),
    });
  }
  expect(await storeImage(handle.db, uploadDir, educator.id, new Uint8Array())).toMatchObject({
    message: 'Choose an image file to upload.',
  });
});

test('recognises PNG, JPEG, GIF and WebP signatures', () => {
  expect(sniffImageType(pngBytes(16))).toBe('png');
  expect(sniffImageType(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0]))).toBe('jpeg');
  expect(sniffImageType(new TextEncoder().encode('GIF89a......'))).toBe('gif');
  expect(sniffImageType(new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8 '))).toBe('webp');
  expect(sniffImageType(new TextEncoder().encode('RIFF\0\0\0\0WAVEfmt '))).toBeNull();
});

test('serves only names it made, never a path', async () => {
  for (const name of ['../../etc/passwd', 'x.png', `${'a'.repeat(64)}.svg`, `${'a'.repeat(64)}.png/../x`]) {
    expect(await readImage(uploadDir, name)).toBeNull();
  }
});

test('uploads go through the educators’ procedure; members and bad bytes are refused with nothing written', async () => {
  const member = await makeUser(handle.db, { roles: ['member'] });
  const bytes = pngBytes(4096);
  const { caller: memberCaller } = await callerFor(handle.db, member);
  const { caller } = await callerFor(handle.db, educator);
  // The refused upload still counts towards the educator's upload limit; nothing else is written.
  const { rate_limits: _limits, ...before } = await countAllRows(handle);
  expect((await trpcErrorOf(memberCaller.handbook.uploadImage({ bytes }))).code).toBe('FORBIDDEN');
  const refused = await trpcErrorOf(caller.handbook.uploadImage({ bytes: new TextEncoder().encode('<svg/>') }));
  expect(refused.message).toContain('not a PNG, JPEG, GIF or WebP');
  const { rate_limits: _after, ...after } = await countAllRows(handle);
  expect(after).toEqual(before);
  const stored = await caller.handbook.uploadImage({ bytes });
  expect((await readImage(uploadDir, stored.fileName))?.bytes).toEqual(bytes);
});
