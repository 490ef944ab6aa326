import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIContext } from 'astro';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type FieldVisibility, memberships } from '#db/schema/index.ts';
import { GET } from '#src/pages/members/[userId]/photo.ts';
import { createSession, validateSessionToken } from '#src/server/auth/session.ts';
import { useTestDb } from '#test/helpers/db.ts';
import { callerFor, type MadeUser, makeUser, TEST_META } from '#test/helpers/factories.ts';

const handle = useTestDb();
let uploadDir: string;

/** Real PNG bytes as far as the type check goes (signature and filler). */
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Array(120).fill(9)]);

beforeAll(async () => {
  uploadDir = mkdtempSync(join(tmpdir(), 'iecpa-photo-'));
  // The endpoint opens the app's database and upload folder from the environment, as the server does.
  process.env.DATABASE_URL = `file:${handle.path}`;
  process.env.UPLOAD_DIR = uploadDir;
});
afterAll(() => rmSync(uploadDir, { recursive: true, force: true }));

async function memberWithPhoto(photoVisibility: FieldVisibility, listed = true): Promise<MadeUser> {
  const user = await makeUser(handle.db);
  const now = Date.now();
  await handle.db
    .insert(memberships)
    .values({ userId: user.id, categoryId: 'practitioner', status: 'active', statusChangedAt: now });
  const { caller } = await callerFor(handle.db, user);
  await caller.directory.saveProfile({
    bio: '',
    bioVisibility: 'public',
    practiceName: '',
    city: '',
    country: 'FR',
    locationVisibility: 'public',
    languages: [],
    languagesVisibility: 'public',
    specialties: [],
    specialtiesVisibility: 'public',
    photoVisibility,
    listed,
    photo: { bytes: PNG, fileName: 'portrait.png' },
  });
  return user;
}

/** Calls the endpoint as the middleware would after validating `viewer`'s session cookie. */
async function fetchPhoto(userId: string, viewer: MadeUser | null): Promise<Response> {
  let locals: App.Locals = { user: null, session: null };
  if (viewer) {
    const { token } = await createSession(handle.db, viewer.id, true, TEST_META);
    const validated = await validateSessionToken(handle.db, token);
    locals = { user: validated?.user ?? null, session: validated?.session ?? null };
  }
  return GET({ params: { userId }, locals } as unknown as APIContext);
}

let member: MadeUser;
let admin: MadeUser;
let nonMember: MadeUser;
beforeAll(async () => {
  member = await makeUser(handle.db);
  await handle.db
    .insert(memberships)
    .values({ userId: member.id, categoryId: 'practitioner', status: 'active', statusChangedAt: Date.now() });
  admin = await makeUser(handle.db, { roles: ['member', 'admin'], totp: true });
  nonMember = await makeUser(handle.db, { roles: [] });
});

test.each([
  { visibility: 'public', anonymous: 200, nonMember: 200, member: 200, admin: 200 },
  { visibility: 'members', anonymous: 404, nonMember: 404, member: 200, admin: 200 },
  { visibility: 'hidden', anonymous: 404, nonMember: 404, member: 404, admin: 200 },
] as const)('serves a $visibility photo only to those who may see it', async (expected) => {
  const subject = await memberWithPhoto(expected.visibility);
  const viewers = { anonymous: null, nonMember, member, admin, self: subject };
  for (const [name, viewer] of Object.entries(viewers)) {
    const response = await fetchPhoto(subject.id, viewer);
    const want = name === 'self' ? 200 : expected[name as keyof typeof viewers & keyof typeof expected];
    expect(response.status, name).toBe(want);
    expect(response.headers.get('x-content-type-options'), name).toBe('nosniff');
    if (response.status === 200) {
      expect(response.headers.get('content-type')).toBe('image/png');
      expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="photo\.png"/);
      expect(response.headers.get('content-security-policy')).toBe("default-src 'none'");
      expect(new Uint8Array(await response.arrayBuffer())).toEqual(PNG);
    }
  }
});

test('serves no photo of an unlisted member except to the member and admins', async () => {
  const subject = await memberWithPhoto('public', false);
  expect((await fetchPhoto(subject.id, null)).status).toBe(404);
  expect((await fetchPhoto(subject.id, member)).status).toBe(404);
  expect((await fetchPhoto(subject.id, subject)).status).toBe(200);
  expect((await fetchPhoto(subject.id, admin)).status).toBe(200);
});

test('answers 404 for unknown members and path-like ids', async () => {
  for (const id of ['no-such-member', '../../etc/passwd', '', '%00']) {
    expect((await fetchPhoto(id, admin)).status).toBe(404);
  }
});
