/**
 * Images for handbook chapters and modules, uploaded by educators. The file's own bytes decide its type
 * (the declared type and name are not trusted); only raster formats are taken, so no SVG with scripts.
 * Files are stored under their SHA-256, so uploading the same image twice stores it once and no name comes
 * from user input; readers get them from /handbook/images/<name>.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '#db/client.ts';
import { writeAudit } from '../audit.ts';
import { FILE_CONTENT_TYPES, type ImageType, sniffImageType } from '../uploads.ts';

/** Largest image accepted: under the 1 MiB request limit (MAX_BODY_BYTES) with room for the form. */
export const MAX_IMAGE_BYTES = 750 * 1024;

export { type ImageType, sniffImageType };

export const IMAGE_CONTENT_TYPES: Record<ImageType, string> = {
  png: FILE_CONTENT_TYPES.png,
  jpeg: FILE_CONTENT_TYPES.jpeg,
  gif: FILE_CONTENT_TYPES.gif,
  webp: FILE_CONTENT_TYPES.webp,
};

export type StoreImageResult =
  | { ok: true; fileName: string; url: string }
  | { ok: false; reason: 'empty' | 'too-large' | 'not-an-image' };

const FILE_NAME = /^[0-9a-f]{64}\.(png|jpeg|gif|webp)$/;

function imageDir(uploadDir: string): string {
  return join(uploadDir, 'handbook');
}

/** Checks and stores an uploaded image; audited. */
export async function storeImage(
  db: Db,
  uploadDir: string,
  actorId: string,
  bytes: Uint8Array,
  now = Date.now(),
): Promise<StoreImageResult> {
  if (bytes.length === 0) return { ok: false, reason: 'empty' };
  if (bytes.length > MAX_IMAGE_BYTES) return { ok: false, reason: 'too-large' };
  const type = sniffImageType(bytes);
  if (!type) return { ok: false, reason: 'not-an-image' };
  const fileName = `${createHash('sha256').update(bytes).digest('hex')}.${type}`;
  const dir = imageDir(uploadDir);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, fileName);
  if (!existsSync(path)) writeFileSync(path, bytes);
  await writeAudit(db, { actorId, action: 'handbook.image-uploaded', details: { fileName, bytes: bytes.length } }, now);
  return { ok: true, fileName, url: `/handbook/images/${fileName}` };
}

/** A stored image by its name, or null (for names that are not ours or files that do not exist). */
export function readImage(
  uploadDir: string,
  fileName: string,
): { bytes: Uint8Array<ArrayBuffer>; contentType: string } | null {
  const match = FILE_NAME.exec(fileName);
  if (!match) return null;
  const path = join(imageDir(uploadDir), fileName);
  if (!existsSync(path)) return null;
  return { bytes: new Uint8Array(readFileSync(path)), contentType: IMAGE_CONTENT_TYPES[match[1] as ImageType] };
}
