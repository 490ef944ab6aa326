/**
 * Uploaded files: the one place that decides what a file is (its own bytes, never the declared type),
 * reduces a client's file name to something safe to show, stores files under server-generated names in
 * UPLOAD_DIR (outside the web root) and serves them back as attachments. Used by handbook images,
 * membership documents and member photos.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export type FileType = 'pdf' | 'png' | 'jpeg' | 'gif' | 'webp' | 'docx';
export type ImageType = Exclude<FileType, 'pdf' | 'docx'>;

export const FILE_CONTENT_TYPES: Record<FileType, string> = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
};

/** File name extensions (lower case, without the dot) that a file of each type may carry. */
export const FILE_EXTENSIONS: Record<FileType, readonly string[]> = {
  pdf: ['pdf'],
  png: ['png'],
  jpeg: ['jpg', 'jpeg'],
  gif: ['gif'],
  webp: ['webp'],
  docx: ['docx'],
};

/**
 * File signatures: PDF header `%PDF-` (ISO 32000-1 §7.5.2), PNG (ISO/IEC 15948 §5.2), JPEG SOI marker
 * followed by a marker's FF (ITU T.81 B.1.1.3), GIF87a/89a, RIFF…WEBP. A PDF header is required at offset 0:
 * readers tolerate leading junk, but accepting it would let anything that ends in a PDF pass.
 */
export function sniffFileType(bytes: Uint8Array): FileType | null {
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes.length >= 5 && ascii(0, 5) === '%PDF-') return 'pdf';
  if (isWordDocument(bytes)) return 'docx';
  return sniffImageType(bytes);
}

/**
 * A Word document (ECMA-376 Office Open XML): a ZIP file (local file header `PK\x03\x04`, APPNOTE §4.3.7)
 * whose part names, stored in clear in the headers and the central directory, include the main document
 * part `word/document.xml` (ECMA-376 Part 1 §11.3.10).
 */
function isWordDocument(bytes: Uint8Array): boolean {
  if (bytes.length < 30 || bytes[0] !== 0x50 || bytes[1] !== 0x4b || bytes[2] !== 0x03 || bytes[3] !== 0x04)
    return false;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes('word/document.xml', 0, 'latin1');
}

/** The raster image type of `bytes`, or null (no SVG: it can carry scripts). */
export function sniffImageType(bytes: Uint8Array): ImageType | null {
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes.length >= 8 && [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((b, i) => bytes[i] === b))
    return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 6 && (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a')) return 'gif';
  if (bytes.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  return null;
}

/** Longest display name kept (characters); longer names keep their start and their extension. */
export const MAX_DISPLAY_NAME_CHARS = 120;

/**
 * A client's file name reduced to a display name: the last path part only (`../../etc/passwd` → `passwd`,
 * `C:\x\y.pdf` → `y.pdf`), no control or bidirectional-override characters, no leading dots, at most
 * MAX_DISPLAY_NAME_CHARS. Never used as a path: files are stored under generated names.
 */
export function safeDisplayName(name: string, fallback = 'document'): string {
  const lastPart = name.split(/[/\\]/).pop() ?? '';
  const cleaned = lastPart
    .normalize('NFC')
    // Controls (Cc) and format characters (Cf), which include the bidi overrides that make "gpj.exe" show as
    // "exe.jpg".
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '')
    .trim();
  if (!cleaned) return fallback;
  const chars = [...cleaned];
  if (chars.length <= MAX_DISPLAY_NAME_CHARS) return cleaned;
  const dot = cleaned.lastIndexOf('.');
  const extension = dot > 0 ? [...cleaned.slice(dot)].slice(0, 10).join('') : '';
  return chars.slice(0, MAX_DISPLAY_NAME_CHARS - [...extension].length).join('') + extension;
}

/** The lower-case extension of a file name (without the dot), or '' when it has none. */
export function fileExtension(name: string): string {
  const base = name.split(/[/\\]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

export type UploadRefusal = 'empty' | 'too-large' | 'wrong-type' | 'extension-mismatch';

export type CheckedUpload =
  | { ok: true; type: FileType; contentType: string; displayName: string; sha256: string }
  | { ok: false; reason: UploadRefusal };

/**
 * Checks an upload before anything is stored: not empty, at most `maxBytes`, bytes of an allowed type, and
 * a file name extension that belongs to that type (so `report.pdf` holding a PNG, or an executable, is
 * refused rather than stored under a name that misleads whoever downloads it).
 */
export function checkUpload(
  bytes: Uint8Array,
  fileName: string,
  options: { allowed: readonly FileType[]; maxBytes: number },
): CheckedUpload {
  if (bytes.length === 0) return { ok: false, reason: 'empty' };
  if (bytes.length > options.maxBytes) return { ok: false, reason: 'too-large' };
  const type = sniffFileType(bytes);
  if (!type || !options.allowed.includes(type)) return { ok: false, reason: 'wrong-type' };
  if (!FILE_EXTENSIONS[type].includes(fileExtension(fileName))) return { ok: false, reason: 'extension-mismatch' };
  return {
    ok: true,
    type,
    contentType: FILE_CONTENT_TYPES[type],
    displayName: safeDisplayName(fileName),
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
}

/** A new server-generated stored name: 32 hex characters (128 random bits), nothing from the client. */
export function newStoredName(): string {
  return randomBytes(16).toString('hex');
}

/** A generated name (newStoredName) or a content-addressed one (contentAddressedName). */
const STORED_NAME = /^(?:[0-9a-f]{32}|[0-9a-f]{64}\.(?:pdf|png|jpeg|gif|webp|docx))$/;
const CONTENT_ADDRESSED_NAME = /^[0-9a-f]{64}\./;

/**
 * The name of a file stored under its SHA-256 and its type: the same bytes always get the same name, so a
 * second upload of them stores nothing new, and no part of the name comes from the client.
 */
export function contentAddressedName(bytes: Uint8Array, type: FileType): string {
  return `${createHash('sha256').update(bytes).digest('hex')}.${type}`;
}
const FOLDER = /^[a-z0-9-]+$/;

function storedPath(uploadDir: string, folder: string, storedName: string): string | null {
  if (!FOLDER.test(folder) || !STORED_NAME.test(storedName)) return null;
  return join(uploadDir, folder, storedName);
}

/**
 * Writes bytes to UPLOAD_DIR/<folder>/<storedName> (a name from newStoredName or contentAddressedName).
 * A generated name is never overwritten; a content-addressed file that exists already holds these bytes.
 */
export async function writeStoredFile(
  uploadDir: string,
  folder: string,
  storedName: string,
  bytes: Uint8Array,
): Promise<void> {
  const path = storedPath(uploadDir, folder, storedName);
  if (!path) throw new Error(`Refusing to store under a name that is not a generated one: ${folder}/${storedName}`);
  await mkdir(join(uploadDir, folder), { recursive: true });
  try {
    await writeFile(path, bytes, { flag: 'wx' });
  } catch (error) {
    // A content-addressed file that exists already holds these bytes.
    if (!(CONTENT_ADDRESSED_NAME.test(storedName) && (error as NodeJS.ErrnoException).code === 'EEXIST')) throw error;
  }
}

/** The bytes of a stored file, or null when the name is not one of ours or the file is gone. */
export async function readStoredFile(
  uploadDir: string,
  folder: string,
  storedName: string,
): Promise<Uint8Array<ArrayBuffer> | null> {
  const path = storedPath(uploadDir, folder, storedName);
  if (!path) return null;
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Removes a stored file; a missing file is not an error (removal is retried by erasure). */
export async function deleteStoredFile(uploadDir: string, folder: string, storedName: string): Promise<void> {
  const path = storedPath(uploadDir, folder, storedName);
  if (path) await rm(path, { force: true });
}

/**
 * The response that hands a stored file to its owner or an admin: always a download (never rendered in the
 * portal's origin), the type fixed to what the bytes are, no sniffing, no caching by shared caches.
 */
export function attachmentResponse(bytes: Uint8Array<ArrayBuffer>, contentType: string, displayName: string): Response {
  const asciiName = displayName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return new Response(bytes, {
    status: 200,
    headers: {
      'Content-Type': contentType,
      'Content-Length': String(bytes.length),
      'Content-Disposition': `attachment; filename="${asciiName}"; filename*=UTF-8''${encodeURIComponent(displayName)}`,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'private, no-store',
    },
  });
}
