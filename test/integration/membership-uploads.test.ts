import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { membershipDocuments } from '#db/schema/index.ts';
import { appRouter } from '#src/server/api/root.ts';
import type { SessionUser } from '#src/server/auth/session.ts';
import { DOCUMENT_UPLOAD_BODY_BYTES, MAX_BODY_BYTES, maxBodyBytesFor } from '#src/server/http/security-headers.ts';
import {
  DOCUMENT_UPLOAD_LIMIT,
  DOCUMENTS_FOLDER,
  MAX_DOCUMENT_BYTES,
  readDocumentFor,
  UPLOAD_REFUSAL_MESSAGES,
} from '#src/server/services/membership-documents.ts';
import { attachmentResponse, safeDisplayName, sniffFileType } from '#src/server/uploads.ts';
import { countAllRows, useTestDb } from '#test/helpers/db.ts';
import { callerFor, type MadeUser, makeUser } from '#test/helpers/factories.ts';
import { trpcErrorOf } from '#test/helpers/trpc.ts';

// Set before any module reads the environment: documents go to this run's own folder.
const uploadDir = vi.hoisted(() => {
  const dir = `${process.cwd()}/test-results/uploads/membership-uploads-${process.pid}-${Date.now()}`;
  process.env.UPLOAD_DIR = dir;
  return dir;
});
const documentsDir = join(uploadDir, 'membership-documents');

const handle = useTestDb();
let admin: MadeUser;
let adminCaller: Awaited<ReturnType<typeof callerFor>>['caller'];
let applicant: MadeUser;
let caller: Awaited<ReturnType<typeof callerFor>>['caller'];

beforeAll(async () => {
  admin = await makeUser(handle.db, { roles: ['member', 'admin'], totp: true });
  adminCaller = (await callerFor(handle.db, admin)).caller;
  applicant = await makeUser(handle.db, { roles: [] });
  caller = (await callerFor(handle.db, applicant)).caller;
  await caller.applications.saveDraft({ categoryId: 'practitioner', profession: 'nurse' });
});
afterAll(() => rmSync(uploadDir, { recursive: true, force: true }));

const encode = (text: string) => new TextEncoder().encode(text);
const PDF = encode('%PDF-1.4\n%âãÏÓ\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n');
/** The first bytes of a Linux executable (ELF magic, 64-bit, little-endian). */
const ELF = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
/** The first bytes of a Windows executable (DOS header "MZ" and stub text). */
const MZ = encode('MZ\x90\x00\x03\x00\x00\x00This program cannot be run in DOS mode.');
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);

function form(name: string, bytes: Uint8Array<ArrayBuffer>, type = 'application/pdf'): FormData {
  const data = new FormData();
  data.set('file', new File([bytes], name, { type }));
  return data;
}

function storedFiles(): string[] {
  return existsSync(documentsDir) ? readdirSync(documentsDir) : [];
}

/** Calls the upload and checks the refusal: code, message shown on the file field, no row and no file. */
async function expectRefused(data: FormData, code: string, message: string): Promise<void> {
  const rowsBefore = await countAllRows(handle);
  const filesBefore = storedFiles();
  const error = await trpcErrorOf(caller.applications.uploadDocument(data));
  expect(error.code).toBe(code);
  expect(error.message).toBe(message);
  expect((error.cause as unknown as { fieldErrors?: Record<string, string> }).fieldErrors).toEqual({ file: message });
  expect(await countAllRows(handle)).toEqual(rowsBefore);
  expect(storedFiles()).toEqual(filesBefore);
}

test('a .pdf holding a Linux or Windows executable is refused and nothing is stored', async () => {
  await expectRefused(form('licence.pdf', ELF), 'BAD_REQUEST', UPLOAD_REFUSAL_MESSAGES['wrong-type']);
  await expectRefused(form('licence.pdf', MZ), 'BAD_REQUEST', UPLOAD_REFUSAL_MESSAGES['wrong-type']);
  // A PDF signature later in the file does not count: the header must come first.
  const padded = new Uint8Array([...MZ, ...PDF]);
  await expectRefused(form('licence.pdf', padded), 'BAD_REQUEST', UPLOAD_REFUSAL_MESSAGES['wrong-type']);
});

test('a file over 5 MiB is refused as too large; exactly 5 MiB is taken', async () => {
  const big = new Uint8Array(MAX_DOCUMENT_BYTES + 1);
  big.set(PDF);
  await expectRefused(form('scan.pdf', big), 'PAYLOAD_TOO_LARGE', UPLOAD_REFUSAL_MESSAGES['too-large']);
  const limit = new Uint8Array(MAX_DOCUMENT_BYTES);
  limit.set(PDF);
  const stored = await caller.applications.uploadDocument(form('scan.pdf', limit));
  expect(stored.sizeBytes).toBe(MAX_DOCUMENT_BYTES);
  await caller.applications.deleteDocument({ documentId: stored.id });
});

test('an empty (0-byte) file is refused, and so is a form without a file', async () => {
  await expectRefused(form('licence.pdf', new Uint8Array()), 'BAD_REQUEST', UPLOAD_REFUSAL_MESSAGES.empty);
  await expectRefused(new FormData(), 'BAD_REQUEST', UPLOAD_REFUSAL_MESSAGES['no-file']);
});

test('wrong types are refused: GIF, HTML, SVG, and a PNG named .pdf', async () => {
  await expectRefused(form('photo.gif', encode('GIF89a......')), 'BAD_REQUEST', UPLOAD_REFUSAL_MESSAGES['wrong-type']);
  await expectRefused(
    form('letter.html', encode('<!doctype html><script>alert(1)</script>')),
    'BAD_REQUEST',
    UPLOAD_REFUSAL_MESSAGES['wrong-type'],
  );
  await expectRefused(
    form('logo.svg', encode('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')),
    'BAD_REQUEST',
    UPLOAD_REFUSAL_MESSAGES['wrong-type'],
  );
  await expectRefused(form('licence.pdf', PNG), 'BAD_REQUEST', UPLOAD_REFUSAL_MESSAGES['extension-mismatch']);
  await expectRefused(form('licence', PDF), 'BAD_REQUEST', UPLOAD_REFUSAL_MESSAGES['extension-mismatch']);
});

test('a path-like file name is reduced to a display name; the file is stored under a generated name', async () => {
  const before = storedFiles();
  const document = await caller.applications.uploadDocument(form('../../etc/passwd.pdf', PDF));
  expect(document.originalName).toBe('passwd.pdf');
  const added = storedFiles().filter((f) => !before.includes(f));
  expect(added).toHaveLength(1);
  expect(added[0]).toMatch(/^[0-9a-f]{32}$/);
  const [row] = await handle.db.select().from(membershipDocuments).where(eq(membershipDocuments.id, document.id));
  expect(row).toMatchObject({ storedName: added[0], mimeType: 'application/pdf', sizeBytes: PDF.length });
  // Nothing was written beside the documents folder (no etc/, no passwd).
  expect(readdirSync(uploadDir)).toEqual([DOCUMENTS_FOLDER]);

  const windows = await caller.applications.uploadDocument(form('C:\\Users\\x\\..\\licence.PDF', PDF));
  expect(windows.originalName).toBe('licence.PDF');
});

test('display names lose control and direction characters, leading dots and excess length', () => {
  expect(safeDisplayName('..\\..\\boot.ini')).toBe('boot.ini');
  expect(safeDisplayName('in\u0000voice\u0007.pdf')).toBe('invoice.pdf');
  expect(safeDisplayName('photo\u202egpj.exe')).toBe('photogpj.exe');
  expect(safeDisplayName('.hidden.pdf')).toBe('hidden.pdf');
  expect(safeDisplayName('../')).toBe('document');
  const long = safeDisplayName(`${'a'.repeat(300)}.pdf`);
  expect(long).toHaveLength(120);
  expect(long.endsWith('.pdf')).toBe(true);
});

test('bytes decide the type: PDF, PNG and JPEG signatures; executables are not any of them', () => {
  expect(sniffFileType(PDF)).toBe('pdf');
  expect(sniffFileType(PNG)).toBe('png');
  expect(sniffFileType(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpeg');
  expect(sniffFileType(ELF)).toBeNull();
  expect(sniffFileType(MZ)).toBeNull();
});

test('a category the user may not apply for is refused with a clear message and nothing is stored', async () => {
  const newcomer = await makeUser(handle.db, { roles: [] });
  const { caller: newcomerCaller } = await callerFor(handle.db, newcomer);
  const before = await countAllRows(handle);
  const founding = await trpcErrorOf(newcomerCaller.applications.saveDraft({ categoryId: 'founding' }));
  expect(founding.code).toBe('BAD_REQUEST');
  expect(founding.message).toBe('Founding member is granted by invitation of the board and cannot be applied for.');
  // The account's profession (nurse) decides while none is given in the application.
  const honorary = await trpcErrorOf(newcomerCaller.applications.saveDraft({ categoryId: 'honorary' }));
  expect(honorary.message).toBe(
    'Honorary member (industry) is only for applicants whose profession is: Industry (ECP device manufacturer or distributor).',
  );
  const honoraryPhysician = await trpcErrorOf(
    newcomerCaller.applications.saveDraft({ categoryId: 'honorary', profession: 'physician' }),
  );
  expect(honoraryPhysician.code).toBe('BAD_REQUEST');
  expect((honoraryPhysician.cause as unknown as { fieldErrors: Record<string, string> }).fieldErrors).toHaveProperty(
    'categoryId',
  );
  const unknown = await trpcErrorOf(newcomerCaller.applications.saveDraft({ categoryId: 'no-such-category' }));
  expect(unknown.message).toBe('Choose a category from the list.');
  expect(await countAllRows(handle)).toEqual(before);
  // An industry applicant may apply for it.
  const industry = await newcomerCaller.applications.saveDraft({ categoryId: 'honorary', profession: 'industry' });
  expect(industry.categoryId).toBe('honorary');
});

test('admin actions on a missing application are refused with NOT_FOUND and nothing is written', async () => {
  const before = await countAllRows(handle);
  const calls = [
    adminCaller.applications.approve({ applicationId: 'no-such-application' }),
    adminCaller.applications.reject({ applicationId: 'no-such-application', reason: 'No.' }),
    adminCaller.applications.requestInfo({ applicationId: 'no-such-application', message: 'Why?' }),
    adminCaller.applications.get({ applicationId: 'no-such-application' }),
  ];
  for (const call of calls) {
    const error = await trpcErrorOf(call);
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe('That application does not exist.');
  }
  expect(await countAllRows(handle)).toEqual(before);
});

test('documents are served to the applicant and to admins only, as attachments', async () => {
  const document = await caller.applications.uploadDocument(form('My licence (2026).pdf', PDF));
  const viewer = (user: MadeUser, roles: SessionUser['roles'], totpEnabled = false): SessionUser => ({
    id: user.id,
    name: user.name,
    email: user.email,
    roles,
    emailVerified: true,
    totpEnabled,
  });
  const other = await makeUser(handle.db);
  const own = await readDocumentFor(handle.db, uploadDir, viewer(applicant, []), document.id);
  expect(own?.bytes).toEqual(PDF);
  expect(
    await readDocumentFor(handle.db, uploadDir, viewer(admin, ['member', 'admin'], true), document.id),
  ).not.toBeNull();
  expect(await readDocumentFor(handle.db, uploadDir, viewer(other, ['member']), document.id)).toBeNull();
  // An admin without the second factor is not yet an admin.
  expect(
    await readDocumentFor(handle.db, uploadDir, viewer(admin, ['member', 'admin'], false), document.id),
  ).toBeNull();
  expect(await readDocumentFor(handle.db, uploadDir, viewer(applicant, []), 'no-such-document')).toBeNull();

  if (!own) throw new Error('unreachable');
  const response = attachmentResponse(own.bytes, own.mimeType, own.originalName);
  expect(response.headers.get('content-disposition')).toBe(
    `attachment; filename="My licence (2026).pdf"; filename*=UTF-8''My%20licence%20(2026).pdf`,
  );
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('content-type')).toBe('application/pdf');
});

test('a document cannot be removed by someone else; its owner removes row and file', async () => {
  const document = await caller.applications.uploadDocument(form('remove-me.pdf', PDF));
  const other = await makeUser(handle.db);
  const { caller: otherCaller } = await callerFor(handle.db, other);
  expect((await trpcErrorOf(otherCaller.applications.deleteDocument({ documentId: document.id }))).code).toBe(
    'NOT_FOUND',
  );
  await caller.applications.deleteDocument({ documentId: document.id });
  expect(await handle.db.select().from(membershipDocuments).where(eq(membershipDocuments.id, document.id))).toEqual([]);
});

test('only the document upload routes accept bodies over 1 MiB', () => {
  expect(maxBodyBytesFor('/membership/apply')).toBe(DOCUMENT_UPLOAD_BODY_BYTES);
  expect(maxBodyBytesFor('/membership/apply/')).toBe(DOCUMENT_UPLOAD_BODY_BYTES);
  expect(maxBodyBytesFor('/api/trpc/applications.uploadDocument')).toBe(DOCUMENT_UPLOAD_BODY_BYTES);
  expect(DOCUMENT_UPLOAD_BODY_BYTES).toBeGreaterThan(MAX_DOCUMENT_BYTES);
  for (const path of [
    '/',
    '/register',
    '/educator/images',
    '/api/trpc/applications.saveDraft',
    '/membership/apply/x',
  ]) {
    expect(maxBodyBytesFor(path)).toBe(MAX_BODY_BYTES);
  }
});

test('the upload procedure takes multipart form data over HTTP, as a browser island would send it', async () => {
  const { ctx } = await callerFor(handle.db, applicant);
  const body = form('over-http.pdf', PDF);
  const response = await fetchRequestHandler({
    endpoint: '/api/trpc',
    req: new Request('http://portal.test/api/trpc/applications.uploadDocument', { method: 'POST', body }),
    router: appRouter,
    createContext: () => ctx,
  });
  expect(response.status).toBe(200);
  const json = (await response.json()) as { result: { data: { originalName: string; mimeType: string } } };
  expect(json.result.data).toMatchObject({ originalName: 'over-http.pdf', mimeType: 'application/pdf' });

  const refused = await fetchRequestHandler({
    endpoint: '/api/trpc',
    req: new Request('http://portal.test/api/trpc/applications.uploadDocument', {
      method: 'POST',
      body: form('licence.pdf', ELF),
    }),
    router: appRouter,
    createContext: () => ctx,
  });
  expect(refused.status).toBe(400);
  const error = (await refused.json()) as { error: { message: string; data: { fieldErrors: Record<string, string> } } };
  expect(error.error.data.fieldErrors).toEqual({ file: UPLOAD_REFUSAL_MESSAGES['wrong-type'] });
});

test('one account may store at most 30 documents a day; the next is refused with TOO_MANY_REQUESTS', async () => {
  const busy = await makeUser(handle.db, { roles: [] });
  const { caller: busyCaller } = await callerFor(handle.db, busy);
  await busyCaller.applications.saveDraft({ categoryId: 'practitioner' });
  for (let i = 0; i < DOCUMENT_UPLOAD_LIMIT.limit; i++) {
    const document = await busyCaller.applications.uploadDocument(form(`page-${i}.pdf`, PDF));
    await busyCaller.applications.deleteDocument({ documentId: document.id });
  }
  const filesBefore = storedFiles();
  const error = await trpcErrorOf(busyCaller.applications.uploadDocument(form('one-more.pdf', PDF)));
  expect(error.code).toBe('TOO_MANY_REQUESTS');
  expect(error.message).toBe(UPLOAD_REFUSAL_MESSAGES['rate-limited']);
  expect(storedFiles()).toEqual(filesBefore);
  // Someone else is not affected.
  const document = await caller.applications.uploadDocument(form('unaffected.pdf', PDF));
  await caller.applications.deleteDocument({ documentId: document.id });
});
