import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Database from 'libsql';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { membershipApplications } from '#db/schema/index.ts';
import {
  type BackupManifest,
  createBackup,
  listBackups,
  pruneBackups,
  runNightlyBackup,
} from '#src/server/backup/backup.ts';
import { codeMigrations } from '#src/server/backup/migration-level.ts';
import { restoreBackup } from '#src/server/backup/restore.ts';
import { writeTarGz } from '#src/server/backup/tar.ts';
import { createTestDb } from '#test/helpers/db.ts';
import { makeUser } from '#test/helpers/factories.ts';

const dir = mkdtempSync(join(tmpdir(), 'iecpa-backup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let live: Awaited<ReturnType<typeof createTestDb>>;
let applicationId: string;
let userId: string;
const uploadDir = join(dir, 'uploads');

beforeAll(async () => {
  live = await createTestDb();
  const user = await makeUser(live.db, { name: 'Burst Applicant' });
  userId = user.id;
  const category = (await live.client.execute('select id from membership_categories limit 1')).rows[0];
  applicationId = 'burst-application';
  await live.db.insert(membershipApplications).values({
    id: applicationId,
    userId,
    categoryId: String(category?.id),
    status: 'draft',
    profession: 'nurse',
    licenceNumber: 'RN-1',
    licenceIssuer: 'Board',
    institution: 'Clinic',
    country: 'GB',
    yearsEcpPractice: 1,
    treatmentsSupervised: 1,
    languagesJson: '[]',
    createdAt: Date.now(),
    updatedAt: Date.now(),
  });
});
afterAll(() => live?.client.close());

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Starts the writer process; `acked` grows as it prints acknowledgements. */
function startWriter(): { child: ChildProcess; acked: string[]; stop(): Promise<void> } {
  const child = spawn(process.execPath, ['test/helpers/write-burst.ts', live.path, uploadDir, applicationId, userId], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const acked: string[] = [];
  let pending = '';
  let errors = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.startsWith('ack ')) acked.push(line.slice(4));
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    errors += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return {
    child,
    acked,
    async stop() {
      child.stdin?.end();
      const code = await exited;
      if (code !== 0) throw new Error(`writer exited with ${code}: ${errors}`);
    },
  };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

let burstArchive: string;
let ackedBeforeSnapshot: string[];

test('a backup taken during a write burst restores every acknowledged write, with its upload', async () => {
  const writer = startWriter();
  try {
    await waitFor(() => writer.acked.length >= 100, 'the first 100 writes');
    ackedBeforeSnapshot = [...writer.acked];
    const { path, manifest } = await createBackup({
      databaseUrl: `file:${live.path}`,
      uploadDir,
      backupDir: join(dir, 'backups'),
    });
    burstArchive = path;
    const ackedAtEnd = writer.acked.length;
    // The burst went on while the snapshot was taken and after it.
    await waitFor(() => writer.acked.length > ackedAtEnd + 20, 'writes after the backup');
    expect(manifest.migration.applied).toBe(codeMigrations().length);
  } finally {
    await writer.stop();
  }

  const target = join(dir, 'restored');
  const result = await restoreBackup({
    archive: burstArchive,
    databasePath: join(target, 'iecpa.db'),
    uploadDir: join(target, 'uploads'),
  });
  expect(result.previousDatabase).toBeNull();
  const restored = new Database(join(target, 'iecpa.db'));
  try {
    const rows = restored
      .prepare("select id, stored_name, size_bytes, sha256 from membership_documents where id like 'burst-%'")
      .all() as { id: string; stored_name: string; size_bytes: number; sha256: string }[];
    const ids = new Set(rows.map((row) => row.id));
    const missing = ackedBeforeSnapshot.filter((id) => !ids.has(id));
    expect(missing).toEqual([]);
    for (const row of rows) {
      const bytes = readFileSync(join(target, 'uploads', 'membership-documents', row.stored_name));
      expect(bytes.length).toBe(Number(row.size_bytes));
      expect(sha256(bytes)).toBe(row.sha256);
    }
    expect(restored.prepare('PRAGMA integrity_check').get()).toMatchObject({ integrity_check: 'ok' });
  } finally {
    restored.close();
  }
}, 60_000);

test('a restore over an existing instance keeps the replaced database and uploads beside them', async () => {
  const target = join(dir, 'over');
  mkdirSync(join(target, 'uploads'), { recursive: true });
  writeFileSync(join(target, 'iecpa.db'), 'old database');
  writeFileSync(join(target, 'uploads', 'old.txt'), 'old upload');
  const result = await restoreBackup({
    archive: burstArchive,
    databasePath: join(target, 'iecpa.db'),
    uploadDir: join(target, 'uploads'),
    now: new Date('2026-12-03T04:05:06Z'),
  });
  expect(result.previousDatabase).toBe(join(target, 'iecpa.db.pre-restore-20261203T040506Z'));
  expect(readFileSync(result.previousDatabase ?? '', 'utf8')).toBe('old database');
  expect(readFileSync(join(`${join(target, 'uploads')}.pre-restore-20261203T040506Z`, 'old.txt'), 'utf8')).toBe(
    'old upload',
  );
  expect(existsSync(join(target, 'uploads', 'membership-documents'))).toBe(true);
});

/** An archive with the files of the burst archive changed by `edit` (name → bytes; null removes). */
async function alteredArchive(name: string, edit: (files: Map<string, Buffer>) => void): Promise<string> {
  const files = new Map<string, Buffer>();
  const extracted = join(dir, `${name}-src`);
  await restoreBackup({
    archive: burstArchive,
    databasePath: join(extracted, 'db.sqlite'),
    uploadDir: join(extracted, 'uploads'),
  });
  const manifest = (await readManifest(burstArchive)) as BackupManifest;
  files.set('manifest.json', Buffer.from(JSON.stringify(manifest)));
  files.set('database.sqlite', readFileSync(join(extracted, 'db.sqlite')));
  for (const file of manifest.files.filter((f) => f.name.startsWith('uploads/'))) {
    files.set(file.name, readFileSync(join(extracted, file.name)));
  }
  edit(files);
  const path = join(dir, `${name}.tar.gz`);
  await writeTarGz(
    path,
    [...files].map(([entry, bytes]) => ({ name: entry, bytes, size: bytes.length })),
  );
  return path;
}

async function readManifest(archive: string): Promise<unknown> {
  const tar = gunzipSync(readFileSync(archive));
  const size = Number.parseInt(tar.subarray(124, 136).toString('ascii').replace(/\0.*$/, ''), 8);
  return JSON.parse(tar.subarray(512, 512 + size).toString('utf8'));
}

/** Restores `archive` over a marked instance; expects refusal with `message` and the instance untouched. */
async function expectRefused(archive: string, message: RegExp): Promise<void> {
  const target = join(dir, `refused-${Math.random().toString(36).slice(2)}`);
  mkdirSync(join(target, 'uploads'), { recursive: true });
  writeFileSync(join(target, 'iecpa.db'), 'current database');
  writeFileSync(join(target, 'uploads', 'current.txt'), 'current upload');
  await expect(
    restoreBackup({ archive, databasePath: join(target, 'iecpa.db'), uploadDir: join(target, 'uploads') }),
  ).rejects.toThrow(message);
  expect(readFileSync(join(target, 'iecpa.db'), 'utf8')).toBe('current database');
  expect(readFileSync(join(target, 'uploads', 'current.txt'), 'utf8')).toBe('current upload');
  expect(readdirSync(target).sort()).toEqual(['iecpa.db', 'uploads']);
}

test('a damaged or foreign archive is refused with a clear message and nothing is changed', async () => {
  const truncated = join(dir, 'truncated.tar.gz');
  const whole = readFileSync(burstArchive);
  writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length / 2)));
  await expectRefused(truncated, /The archive is damaged/);

  const notGzip = join(dir, 'not-gzip.tar.gz');
  writeFileSync(notGzip, 'hello');
  await expectRefused(notGzip, /The archive is damaged/);

  const flipped = await alteredArchive('flipped', (files) => {
    const name = [...files.keys()].find((key) => key.startsWith('uploads/')) ?? '';
    const bytes = Buffer.from(files.get(name) ?? []);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0xff;
    files.set(name, bytes);
  });
  await expectRefused(flipped, /does not match its checksum/);

  const missing = await alteredArchive('missing', (files) => {
    files.delete([...files.keys()].find((key) => key.startsWith('uploads/')) ?? '');
  });
  await expectRefused(missing, /is missing/);

  const escaping = await alteredArchive('escaping', (files) => files.set('uploads/../../evil', Buffer.from('x')));
  await expectRefused(escaping, /unexpected path/);

  const foreign = await alteredArchive('foreign', (files) =>
    files.set('manifest.json', Buffer.from(JSON.stringify({ format: 'something-else' }))),
  );
  await expectRefused(foreign, /not an IECPA backup archive/);

  await expectRefused(join(dir, 'no-such.tar.gz'), /There is no archive/);
});

/** The burst archive with its database changed by `change` and the manifest's checksum updated to match. */
async function archiveWithDatabase(name: string, change: (connection: Database.Database) => void): Promise<string> {
  return alteredArchive(name, (files) => {
    const path = join(dir, `${name}.sqlite`);
    writeFileSync(path, files.get('database.sqlite') ?? Buffer.alloc(0));
    const connection = new Database(path);
    change(connection);
    connection.close();
    const bytes = readFileSync(path);
    files.set('database.sqlite', bytes);
    const manifest = JSON.parse(files.get('manifest.json')?.toString() ?? '{}') as BackupManifest;
    for (const file of manifest.files) {
      if (file.name === 'database.sqlite') Object.assign(file, { sizeBytes: bytes.length, sha256: sha256(bytes) });
    }
    files.set('manifest.json', Buffer.from(JSON.stringify(manifest)));
  });
}

test('an archive from newer code, or with a corrupt database, is refused and nothing is changed', async () => {
  const newer = await archiveWithDatabase('newer', (connection) => {
    const last = codeMigrations().at(-1)?.when ?? 0;
    connection.prepare('insert into __drizzle_migrations (hash, created_at) values (?, ?)').run('future', last + 1);
  });
  await expectRefused(newer, /made by newer code/);

  const damaged = await alteredArchive('damaged-db', (files) => {
    const db = Buffer.from(files.get('database.sqlite') ?? []);
    // Overwrite every page after the first (the header and schema stay): whichever pages hold the tables and
    // indexes, the b-trees no longer check out. (One page in the middle could be a free page: that passed.)
    const page = 4096;
    for (let at = page; at + page <= db.length; at += page) db.fill(0x5a, at + 8, at + page);
    files.set('database.sqlite', db);
    const manifest = JSON.parse(files.get('manifest.json')?.toString() ?? '{}') as BackupManifest;
    for (const file of manifest.files) {
      if (file.name === 'database.sqlite') Object.assign(file, { sizeBytes: db.length, sha256: sha256(db) });
    }
    files.set('manifest.json', Buffer.from(JSON.stringify(manifest)));
  });
  await expectRefused(damaged, /integrity_check|cannot be read/);
});

test('the nightly job makes one archive a day from the configured hour and keeps the newest', async () => {
  const backupDir = join(dir, 'nightly');
  const options = { databaseUrl: `file:${live.path}`, uploadDir, backupDir, keep: 2, hourUtc: 2 };
  const at = (iso: string) => new Date(iso).getTime();
  expect(await runNightlyBackup({ ...options, now: at('2026-12-01T01:59:00Z') })).toEqual({
    made: false,
    reason: 'not-yet',
  });
  expect(await runNightlyBackup({ ...options, now: at('2026-12-01T02:00:00Z') })).toMatchObject({ made: true });
  expect(await runNightlyBackup({ ...options, now: at('2026-12-01T03:00:00Z') })).toEqual({
    made: false,
    reason: 'done-today',
  });
  await runNightlyBackup({ ...options, now: at('2026-12-02T05:00:00Z') });
  const third = await runNightlyBackup({ ...options, now: at('2026-12-03T02:30:00Z') });
  expect(third).toMatchObject({ made: true, deleted: [join(backupDir, 'iecpa-backup-20261201T020000Z.tar.gz')] });
  expect(listBackups(backupDir).map((backup) => backup.stamp)).toEqual(['20261203T023000Z', '20261202T050000Z']);
  expect(await runNightlyBackup({ ...options, keep: 0, now: at('2026-12-04T02:30:00Z') })).toEqual({
    made: false,
    reason: 'off',
  });
  expect(pruneBackups(backupDir, 1)).toEqual([join(backupDir, 'iecpa-backup-20261202T050000Z.tar.gz')]);
});

test('a libSQL server URL or a missing database is refused with a clear message', async () => {
  const backupDir = join(dir, 'refused-backups');
  await expect(createBackup({ databaseUrl: 'libsql://db.example', uploadDir, backupDir })).rejects.toThrow(
    /not an embedded database file/,
  );
  await expect(createBackup({ databaseUrl: `file:${join(dir, 'nothing.db')}`, uploadDir, backupDir })).rejects.toThrow(
    /There is no database/,
  );
  expect(listBackups(backupDir)).toEqual([]);
});

test('an archive is readable by tar (an operator can inspect it without the portal)', () => {
  const listing = execFileSync('tar', ['-tzf', burstArchive], { encoding: 'utf8' }).trim().split('\n');
  expect(listing.slice(0, 2)).toEqual(['manifest.json', 'database.sqlite']);
  expect(listing.length).toBeGreaterThan(100);
  expect(
    listing.every((name) =>
      /^(manifest\.json|database\.sqlite|uploads\/membership-documents\/[0-9a-f]{32})$/.test(name),
    ),
  ).toBe(true);
});

/** Runs an npm script's file with this instance's environment pointed at `dir`. */
function runScript(
  script: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], {
      env: { ...process.env, NODE_ENV: 'test', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on('exit', (code) => resolve({ code: code ?? -1, out }));
  });
}

test('the db:backup and db:restore scripts: backup, refusal while a server answers, restore', async () => {
  const instance = join(dir, 'scripts-instance');
  mkdirSync(join(instance, 'uploads'), { recursive: true });
  copyFileSync(live.path, join(instance, 'iecpa.db'));
  writeFileSync(join(instance, 'uploads', 'note.txt'), 'kept');
  const listener = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const port = String((listener.address() as AddressInfo).port);
  const env = {
    DATABASE_URL: `file:${join(instance, 'iecpa.db')}`,
    UPLOAD_DIR: join(instance, 'uploads'),
    BACKUP_DIR: join(instance, 'backups'),
    HOST: '127.0.0.1',
    PORT: port,
  };
  try {
    const backup = await runScript('scripts/db-backup.ts', [], env);
    expect(backup.out).toMatch(/^Backup written to .*iecpa-backup-\d{8}T\d{6}Z\.tar\.gz/);
    expect(backup.code).toBe(0);
    const archive = listBackups(join(instance, 'backups'))[0]?.path ?? '';

    const refused = await runScript('scripts/db-restore.ts', [archive], env);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain(`a server answers at 127.0.0.1:${port}. Stop it first`);
    expect(readdirSync(instance).sort()).toEqual(['backups', 'iecpa.db', 'uploads']);
  } finally {
    await new Promise((resolve) => listener.close(resolve));
  }
  const archive = listBackups(join(instance, 'backups'))[0]?.path ?? '';
  const usage = await runScript('scripts/db-restore.ts', [], env);
  expect(usage.code).toBe(2);
  expect(usage.out).toContain('Usage: npm run db:restore -- <archive.tar.gz>');
  const restored = await runScript('scripts/db-restore.ts', [archive], env);
  expect(restored.out).toContain('Restored the backup of');
  expect(restored.code).toBe(0);
  expect(readFileSync(join(instance, 'uploads', 'note.txt'), 'utf8')).toBe('kept');
  expect(readdirSync(instance).filter((name) => name.includes('.pre-restore-'))).toHaveLength(2);
}, 60_000);
