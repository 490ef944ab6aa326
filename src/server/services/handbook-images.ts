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

/** Largest image accepted: under the 1 MiB request limit (MAX_BODY_BYTES) with room for the form. */
export const MAX_IMAGE_BYTES = 750 * 1024;

export type ImageType = 'png' | 'jpeg' | 'gif' | 'webp';

export const IMAGE_CONTENT_TYPES: Record<ImageType, string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
};

/** File signatures: PNG (ISO/IEC 15948 §5.2), JPEG SOI marker (ITU T.81), GIF87a/89a, RIFF…WEBP. */
export function sniffImageType(bytes: Uint8Array): ImageType | null {
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes.length >= 8 && [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((b, i) => bytes[i] === b))
    return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 6 && (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a')) return 'gif';
  if (bytes.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  return null;
}

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
