/**
 * A minimal POSIX ustar writer and reader (IEEE Std 1003.1-2017, "pax" utility, ustar interchange format),
 * gzip-compressed, for backup archives: regular files only, names up to 255 bytes (prefix + name split),
 * sizes up to 8 GiB (11 octal digits). Enough for a database snapshot and the upload folder, and readable by
 * any `tar -xzf`, so an operator can inspect an archive without the portal.
 */

import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';

const BLOCK = 512;

function writeOctal(header: Buffer, offset: number, length: number, value: number): void {
  header.write(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, length, 'ascii');
}

function splitName(name: string): { prefix: string; base: string } {
  if (Buffer.byteLength(name) <= 100) return { prefix: '', base: name };
  // ustar keeps long paths as prefix (155) + "/" + name (100), split at a slash.
  for (let i = name.lastIndexOf('/'); i > 0; i = name.lastIndexOf('/', i - 1)) {
    const prefix = name.slice(0, i);
    const base = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(base) <= 100) return { prefix, base };
  }
  throw new Error(`The path ${name} is too long for a ustar archive.`);
}

function fileHeader(name: string, size: number, mtimeMs: number): Buffer {
  const header = Buffer.alloc(BLOCK);
  const { prefix, base } = splitName(name);
  header.write(base, 0, 100, 'utf8');
  writeOctal(header, 100, 8, 0o644);
  writeOctal(header, 108, 8, 0);
  writeOctal(header, 116, 8, 0);
  writeOctal(header, 124, 12, size);
  writeOctal(header, 136, 12, Math.floor(mtimeMs / 1000));
  header.write('        ', 148, 8, 'ascii');
  header.write('0', 156, 1, 'ascii');
  header.write('ustar\u000000', 257, 8, 'ascii');
  header.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return header;
}

export interface TarEntrySource {
  /** Path inside the archive, with forward slashes. */
  name: string;
  /** A file on disk (streamed) or bytes in memory. */
  path?: string;
  bytes?: Uint8Array;
  size: number;
}

/** Writes `entries` to a gzip-compressed ustar file at `target`. */
export async function writeTarGz(target: string, entries: TarEntrySource[], mtimeMs = Date.now()): Promise<void> {
  const gzip = createGzip();
  const done = pipeline(gzip, createWriteStream(target, { flags: 'wx' }));
  // A failed write (disk full, target exists) ends the pipeline early: stop feeding it and report that error.
  let failure: unknown = null;
  done.catch((error: unknown) => {
    failure = error;
  });
  async function put(chunk: Uint8Array): Promise<void> {
    if (failure) throw failure;
    if (!gzip.write(chunk)) await Promise.race([once(gzip, 'drain'), done]);
    if (failure) throw failure;
  }
  for (const entry of entries) {
    await put(fileHeader(entry.name, entry.size, mtimeMs));
    let written = 0;
    if (entry.bytes) {
      await put(entry.bytes);
      written = entry.bytes.length;
    } else if (entry.path) {
      for await (const chunk of createReadStream(entry.path)) {
        await put(chunk as Buffer);
        written += (chunk as Buffer).length;
      }
    }
    if (written !== entry.size) throw new Error(`${entry.name} changed size while it was archived.`);
    const pad = (BLOCK - (written % BLOCK)) % BLOCK;
    if (pad) await put(Buffer.alloc(pad));
  }
  await put(Buffer.alloc(BLOCK * 2));
  gzip.end();
  await done;
}

function readOctal(header: Buffer, offset: number, length: number): number {
  const text = header
    .subarray(offset, offset + length)
    .toString('ascii')
    .replace(/[\0 ]+$/, '')
    .trim();
  if (!/^[0-7]*$/.test(text)) throw new Error('The archive is damaged (a header field is not a number).');
  return text === '' ? 0 : Number.parseInt(text, 8);
}

function readString(header: Buffer, offset: number, length: number): string {
  const field = header.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? length : end).toString('utf8');
}

export interface TarEntry {
  name: string;
  size: number;
}

/**
 * Reads a gzip-compressed ustar file, calling `onEntry` for each regular file with its content in chunks.
 * Throws on a damaged archive (bad gzip, bad header checksum, truncated content, entry types other than
 * regular files).
 */
export async function readTarGz(
  source: string,
  onEntry: (entry: TarEntry) => { write(chunk: Buffer): void; end(): Promise<void> },
): Promise<void> {
  let buffered: Buffer = Buffer.alloc(0);
  let current: { entry: TarEntry; remaining: number; pad: number; sink: ReturnType<typeof onEntry> } | null = null;
  let ended = false;

  async function consume(): Promise<void> {
    for (;;) {
      if (ended) return;
      if (current) {
        if (current.remaining > 0) {
          if (buffered.length === 0) return;
          const take = Math.min(current.remaining, buffered.length);
          current.sink.write(buffered.subarray(0, take));
          buffered = buffered.subarray(take);
          current.remaining -= take;
          if (current.remaining > 0) return;
        }
        if (buffered.length < current.pad) return;
        buffered = buffered.subarray(current.pad);
        await current.sink.end();
        current = null;
        continue;
      }
      if (buffered.length < BLOCK) return;
      const header = buffered.subarray(0, BLOCK);
      buffered = buffered.subarray(BLOCK);
      if (header.every((byte) => byte === 0)) {
        ended = true;
        return;
      }
      const stored = readOctal(header, 148, 8);
      let sum = 0;
      for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (header[i] ?? 0);
      if (sum !== stored) throw new Error('The archive is damaged (a header checksum does not match).');
      const type = String.fromCharCode(header[156] ?? 0);
      if (type !== '0' && type !== '\0') throw new Error('The archive holds something other than plain files.');
      const prefix = readString(header, 345, 155);
      const base = readString(header, 0, 100);
      const entry = { name: prefix ? `${prefix}/${base}` : base, size: readOctal(header, 124, 12) };
      current = { entry, remaining: entry.size, pad: (BLOCK - (entry.size % BLOCK)) % BLOCK, sink: onEntry(entry) };
    }
  }

  const gunzip = createGunzip();
  const input = createReadStream(source);
  input.pipe(gunzip);
  input.on('error', (error) => gunzip.destroy(error));
  try {
    for await (const chunk of gunzip) {
      buffered = buffered.length ? Buffer.concat([buffered, chunk as Buffer]) : (chunk as Buffer);
      await consume();
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (message.startsWith('The archive')) throw error;
    throw new Error(`The archive is damaged (${message}).`);
  } finally {
    input.destroy();
  }
  if (current || !ended) throw new Error('The archive is damaged (it ends in the middle of a file).');
}
