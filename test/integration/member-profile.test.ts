import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { auditLog, consents, memberProfiles, memberships } from '#db/schema/index.ts';
import { PROFILE_LIMITS } from '#src/lib/schemas.ts';
import type { createCaller } from '#src/server/api/root.ts';
import { flattenFieldErrors } from '#src/server/api/trpc.ts';
import { DIRECTORY_CONSENT_VERSION, MAX_PHOTO_BYTES, PHOTO_FOLDER } from '#src/server/services/member-profile.ts';
import { countAllRows, useTestDb } from '#test/helpers/db.ts';
import { callerFor, type MadeUser, makeUser } from '#test/helpers/factories.ts';
import { callOverHttp, trpcErrorOf } from '#test/helpers/trpc.ts';

type Caller = ReturnType<typeof createCaller>;

const handle = useTestDb();
let uploadDir: string;

beforeAll(async () => {
  uploadDir = mkdtempSync(join(tmpdir(), 'iecpa-profile-'));
  // The router reads UPLOAD_DIR on first use; this test file's worker reads this folder.
  process.env.UPLOAD_DIR = uploadDir;
});
afterAll(() => rmSync(uploadDir, { recursive: true, force: true }));

function jpeg(size = 256): Uint8Array {
  const bytes = new Uint8Array(size).fill(3);
  bytes.set([0xff, 0xd8, 0xff, 0xe0]);
  return bytes;
}

function png(size = 256): Uint8Array {
  const bytes = new Uint8Array(size).fill(5);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return bytes;
}

function validFields() {
  return {
    bio: 'I run the ECP service at a university hospital.\nTwenty years of practice.',
    bioVisibility: 'public' as const,
    practiceName: 'Uniklinik ECP Centre',
    city: 'Heidelberg',
    country: 'DE',
    locationVisibility: 'members' as const,
    languages: 'English, German ,, French',
    languagesVisibility: 'public' as const,
    specialties: ['Refractory angina', 'Heart failure'],
    specialtiesVisibility: 'hidden' as const,
    photoVisibility: 'members' as const,
    listed: true,
    photo: null,
  };
}

async function makeMember(): Promise<{ user: MadeUser; caller: Caller }> {
  const user = await makeUser(handle.db);
  const now = Date.now();
  await handle.db
    .insert(memberships)
    .values({ userId: user.id, categoryId: 'practitioner', status: 'active', statusChangedAt: now, joinedAt: now });
  return { user, caller: (await callerFor(handle.db, user)).caller };
}

function photoFiles(): string[] {
  const dir = join(uploadDir, PHOTO_FOLDER);
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

async function directoryConsents(userId: string) {
  return handle.db
    .select()
    .from(consents)
    .where(and(eq(consents.userId, userId), eq(consents.document, 'directory-listing')));
}

async function auditActions(userId: string): Promise<string[]> {
  const rows = await handle.db.select().from(auditLog).where(eq(auditLog.subjectId, userId));
  return rows.map((r) => r.action).filter((a) => a.startsWith('directory.'));
}

test('tells a user without a membership that profiles are for members, and writes nothing', async () => {
  const user = await makeUser(handle.db, { roles: [] });
  const { caller } = await callerFor(handle.db, user);
  expect((await caller.directory.myProfile()).membership).toBeNull();
  const before = await countAllRows(handle);
  const error = await trpcErrorOf(
    caller.directory.saveProfile({ ...validFields(), photo: { bytes: jpeg(), fileName: 'a.jpg' } }),
  );
  expect(error.code).toBe('FORBIDDEN');
  expect(error.message).toContain('Apply for membership');
  expect(await countAllRows(handle)).toEqual(before);
  expect(photoFiles()).toEqual([]);
});

test('starts a first profile from the registration country with members-only fields, unlisted', async () => {
  const { caller } = await makeMember();
  const own = await caller.directory.myProfile();
  expect(own.membership).toMatchObject({ status: 'active', categoryName: 'Practitioner', inGoodStanding: true });
  expect(own.saved).toBe(false);
  expect(own.profile).toMatchObject({ country: 'DE', listed: false, bioVisibility: 'members', photoUrl: null });
});

test('saves every field with its visibility, records the listing consent with its version, and audits', async () => {
  const { user, caller } = await makeMember();
  const before = Date.now();
  await caller.directory.saveProfile(validFields());
  const own = await caller.directory.myProfile();
  expect(own.saved).toBe(true);
  expect(own.profile).toMatchObject({
    bio: 'I run the ECP service at a university hospital.\nTwenty years of practice.',
    practiceName: 'Uniklinik ECP Centre',
    city: 'Heidelberg',
    country: 'DE',
    locationVisibility: 'members',
    languages: ['English', 'German', 'French'],
    specialties: ['Refractory angina', 'Heart failure'],
    specialtiesVisibility: 'hidden',
    listed: true,
  });
  const recorded = await directoryConsents(user.id);
  expect(recorded).toHaveLength(1);
  expect(recorded[0]?.version).toBe(DIRECTORY_CONSENT_VERSION);
  expect(recorded[0]?.acceptedAt).toBeGreaterThanOrEqual(before);
  expect(own.consentVersion).toBe(DIRECTORY_CONSENT_VERSION);
  expect(await auditActions(user.id)).toEqual(['directory.profile-saved', 'directory.listing-consented']);

  // Saving again while listed asks for no new consent; withdrawing and opting in again records a new one.
  await caller.directory.saveProfile({ ...validFields(), city: 'Mannheim' });
  expect(await directoryConsents(user.id)).toHaveLength(1);
  await caller.directory.saveProfile({ ...validFields(), listed: false });
  await caller.directory.saveProfile(validFields());
  expect(await directoryConsents(user.id)).toHaveLength(2);
  expect(await auditActions(user.id)).toEqual([
    'directory.profile-saved',
    'directory.listing-consented',
    'directory.profile-saved',
    'directory.profile-saved',
    'directory.listing-withdrawn',
    'directory.profile-saved',
    'directory.listing-consented',
  ]);
});

test('stores a photo under a generated name, replaces it, and removes it with its file', async () => {
  const { user, caller } = await makeMember();
  const first = jpeg(1000);
  await caller.directory.saveProfile({ ...validFields(), photo: { bytes: first, fileName: '../../etc/passwd.jpg' } });
  const [row] = await handle.db.select().from(memberProfiles).where(eq(memberProfiles.userId, user.id));
  expect(row?.photoStoredName).toMatch(/^[0-9a-f]{32}$/);
  expect(row?.photoMimeType).toBe('image/jpeg');
  const firstName = row?.photoStoredName ?? '';
  expect(readFileSync(join(uploadDir, PHOTO_FOLDER, firstName))).toEqual(Buffer.from(first));

  await caller.directory.saveProfile({ ...validFields(), photo: { bytes: png(800), fileName: 'Me.PNG' } });
  const [replaced] = await handle.db.select().from(memberProfiles).where(eq(memberProfiles.userId, user.id));
  expect(replaced?.photoMimeType).toBe('image/png');
  expect(existsSync(join(uploadDir, PHOTO_FOLDER, firstName))).toBe(false);
  expect(existsSync(join(uploadDir, PHOTO_FOLDER, replaced?.photoStoredName ?? 'x'))).toBe(true);
  expect((await caller.directory.myProfile()).profile.photoUrl).toMatch(
    new RegExp(`^/members/${user.id}/photo\\?v=\\d+$`),
  );

  // Saving without a new photo keeps the current one.
  await caller.directory.saveProfile(validFields());
  const [kept] = await handle.db.select().from(memberProfiles).where(eq(memberProfiles.userId, user.id));
  expect(kept?.photoStoredName).toBe(replaced?.photoStoredName);

  expect(await caller.directory.removePhoto()).toEqual({ removed: true });
  const [removed] = await handle.db.select().from(memberProfiles).where(eq(memberProfiles.userId, user.id));
  expect(removed?.photoStoredName).toBeNull();
  expect(existsSync(join(uploadDir, PHOTO_FOLDER, replaced?.photoStoredName ?? 'x'))).toBe(false);
  expect(await auditActions(user.id)).toContain('directory.photo-removed');
  expect((await trpcErrorOf(caller.directory.removePhoto())).code).toBe('NOT_FOUND');
});

const BAD_FIELDS = [
  { field: 'bio', value: 'x'.repeat(PROFILE_LIMITS.bioMax + 1) },
  { field: 'bio', value: 'Hidden \u202e text' },
  { field: 'practiceName', value: 'x'.repeat(PROFILE_LIMITS.practiceNameMax + 1) },
  { field: 'practiceName', value: 'Clinic\u0007' },
  { field: 'city', value: 'x'.repeat(PROFILE_LIMITS.cityMax + 1) },
  { field: 'city', value: 'Line\nbreak' },
  { field: 'country', value: 'XX' },
  { field: 'country', value: '' },
  { field: 'country', value: 'de' },
  { field: 'languages', value: 'a, b, c, d, e, f, g, h, i, j, k' },
  { field: 'languages', value: `English, ${'x'.repeat(PROFILE_LIMITS.languageMax + 1)}` },
  { field: 'specialties', value: ['ok', 'y'.repeat(PROFILE_LIMITS.specialtyMax + 1)] },
  { field: 'bioVisibility', value: 'friends' },
  { field: 'photoVisibility', value: '' },
  { field: 'listed', value: 'yes' },
] as const;

test.each(BAD_FIELDS)('refuses a bad $field with a field error and writes nothing', async ({ field, value }) => {
  const { caller } = await makeMember();
  await caller.directory.saveProfile(validFields());
  const before = await countAllRows(handle);
  const files = photoFiles();
  const input = { ...validFields(), [field]: value, photo: { bytes: jpeg(), fileName: 'new.jpg' } };
  const error = await trpcErrorOf(caller.directory.saveProfile(input as never));
  expect(error.code).toBe('BAD_REQUEST');
  const fields = Object.keys(flattenFieldErrors(error.cause) ?? {}).map((key) => key.split('.')[0]);
  expect([...new Set(fields)]).toEqual([field]);
  expect(await countAllRows(handle)).toEqual(before);
  expect(photoFiles()).toEqual(files);
  expect((await caller.directory.myProfile()).profile.city).toBe('Heidelberg');
});

const BAD_PHOTOS = [
  {
    name: 'a text file named .jpg',
    bytes: new TextEncoder().encode('not an image at all'),
    fileName: 'me.jpg',
    says: 'JPEG or PNG',
  },
  {
    name: 'a PDF named .jpg',
    bytes: new TextEncoder().encode('%PDF-1.7 ...'),
    fileName: 'me.jpg',
    says: 'JPEG or PNG',
  },
  {
    name: 'an SVG',
    bytes: new TextEncoder().encode('<svg onload="alert(1)"/>'),
    fileName: 'me.svg',
    says: 'JPEG or PNG',
  },
  { name: 'a GIF', bytes: new TextEncoder().encode('GIF89a......'), fileName: 'me.gif', says: 'JPEG or PNG' },
  {
    name: 'an executable named .png',
    bytes: new Uint8Array([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0]),
    fileName: 'me.png',
    says: 'JPEG or PNG',
  },
  { name: 'a PNG named .jpg', bytes: png(), fileName: 'me.jpg', says: 'does not match' },
  { name: 'an empty file', bytes: new Uint8Array(), fileName: 'me.jpg', says: 'empty' },
  { name: 'an oversized JPEG', bytes: jpeg(MAX_PHOTO_BYTES + 1), fileName: 'me.jpg', says: 'larger than 750 KiB' },
];

test.each(BAD_PHOTOS)(
  'refuses $name as the photo with a field error and stores nothing',
  async ({ bytes, fileName, says }) => {
    const { caller } = await makeMember();
    await caller.directory.saveProfile(validFields());
    const before = await countAllRows(handle);
    const files = photoFiles();
    const error = await trpcErrorOf(
      caller.directory.saveProfile({ ...validFields(), city: 'Changed', photo: { bytes, fileName } }),
    );
    expect(error.code).toBe('BAD_REQUEST');
    expect(flattenFieldErrors(error.cause)?.photo).toContain(says);
    expect(await countAllRows(handle)).toEqual(before);
    expect(photoFiles()).toEqual(files);
    expect((await caller.directory.myProfile()).profile.city).toBe('Heidelberg');
  },
);

test('lists a bad photo together with the other bad fields', async () => {
  const { caller } = await makeMember();
  const error = await trpcErrorOf(
    caller.directory.saveProfile({ ...validFields(), country: 'XX', photo: { bytes: png(), fileName: 'me.gif' } }),
  );
  expect(Object.keys(flattenFieldErrors(error.cause) ?? {}).sort()).toEqual(['country', 'photo']);
});

test('sends field errors keyed by field over HTTP', async () => {
  const { user } = await makeMember();
  const { ctx } = await callerFor(handle.db, user);
  const before = await countAllRows(handle);
  const { status, body } = await callOverHttp(ctx, 'directory.saveProfile', {
    ...validFields(),
    country: 'Atlantis',
    city: 'x'.repeat(200),
  });
  expect(status).toBe(400);
  expect(body.error?.message).toBe('Some fields need your attention.');
  expect(Object.keys(body.error?.data.fieldErrors ?? {}).sort()).toEqual(['city', 'country']);
  expect(body.error?.data.fieldErrors?.city).toBe(`Use at most ${PROFILE_LIMITS.cityMax} characters for the city.`);
  expect(await countAllRows(handle)).toEqual(before);
});
