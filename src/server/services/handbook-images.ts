/**
 * Images for handbook chapters and modules, uploaded by educators. The file's own bytes decide its type
 * (the declared type and name are not trusted); only raster formats are taken, so no SVG with scripts.
 * Files are stored under their SHA-256, so uploading the same image twice stores it once and no name comes
 * from user input; readers get them from /handbook/images/<name>.
 */
import type { Db } from '#db/client.ts';
import { writeAudit } from '../audit.ts';
import { type Refusal, refuse } from '../refusal.ts';
import {
  contentAddressedName,
  FILE_CONTENT_TYPES,
  type ImageType,
  readStoredFile,
  sniffImageType,
  writeStoredFile,
} from '../uploads.ts';

/** Largest image accepted: under the 1 MiB request limit (MAX_BODY_BYTES) with room for the form. */
export const MAX_IMAGE_BYTES = 750 * 1024;

export { type ImageType, sniffImageType };

export const IMAGE_CONTENT_TYPES: Record<ImageType, string> = {
  png: FILE_CONTENT_TYPES.png,
  jpeg: FILE_CONTENT_TYPES.jpeg,
  gif: FILE_CONTENT_TYPES.gif,
  webp: FILE_CONTENT_TYPES.webp,
};

/** Where handbook images live under UPLOAD_DIR. */
const IMAGE_FOLDER = 'handbook';
const FILE_NAME = /^[0-9a-f]{64}\.(png|jpeg|gif|webp)$/;

/** Checks and stores an uploaded image; audited. */
export async function storeImage(
  db: Db,
  uploadDir: string,
  actorId: string,
  bytes: Uint8Array,
  now = Date.now(),
): Promise<{ ok: true; fileName: string; url: string } | Refusal> {
  if (bytes.length === 0) return refuse('BAD_REQUEST', 'Choose an image file to upload.');
  if (bytes.length > MAX_IMAGE_BYTES) {
    return refuse(
      'PAYLOAD_TOO_LARGE',
      `The image is larger than ${Math.round(MAX_IMAGE_BYTES / 1024)} KiB. Make it smaller and try again.`,
    );
  }
  const type = sniffImageType(bytes);
  if (!type) {
    return refuse(
      'BAD_REQUEST',
      'That file is not a PNG, JPEG, GIF or WebP image. SVG and other formats are not accepted.',
    );
  }
  const fileName = contentAddressedName(bytes, type);
  await writeStoredFile(uploadDir, IMAGE_FOLDER, fileName, bytes);
  await writeAudit(db, { actorId, action: 'handbook.image-uploaded', details: { fileName, bytes: bytes.length } }, now);
  return { ok: true, fileName, url: `/handbook/images/${fileName}` };
}

/** A stored image by its name, or null (for names that are not ours or files that do not exist). */
export async function readImage(
  uploadDir: string,
  fileName: string,
): Promise<{ bytes: Uint8Array<ArrayBuffer>; contentType: string } | null> {
  const match = FILE_NAME.exec(fileName);
  if (!match) return null;
  const bytes = await readStoredFile(uploadDir, IMAGE_FOLDER, fileName);
  return bytes ? { bytes, contentType: IMAGE_CONTENT_TYPES[match[1] as ImageType] } : null;
}
