import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type FieldVisibility, type MembershipStatus, memberships, users } from '#db/schema/index.ts';
import type { createCaller } from '#src/server/api/root.ts';
import {
  ANONYMOUS_VIEWER,
  buildDirectoryMatch,
  DIRECTORY_PAGE_SIZE,
  type DirectoryEntry,
  ftsPhrases,
  photoForViewer,
  reindexMemberName,
  resolveViewer,
} from '#src/server/services/member-directory.ts';
import { useTestDb } from '#test/helpers/db.ts';
import { anonymousCaller, callerFor, type MadeUser, makeUser } from '#test/helpers/factories.ts';
import { trpcErrorOf } from '#test/helpers/trpc.ts';

type Caller = ReturnType<typeof createCaller>;

const handle = useTestDb();
let uploadDir: string;
let anonymous: Caller;
let member: Caller;
let admin: Caller;
let memberUser: MadeUser;
let adminUser: MadeUser;

/** A tiny JPEG as far as the type check goes: the SOI marker and filler. */
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, ...new Array(64).fill(1)]);

beforeAll(async () => {
  uploadDir = mkdtempSync(join(tmpdir(), 'iecpa-directory-'));
  // The router reads UPLOAD_DIR on first use; this test file's workers read this folder.
  process.env.UPLOAD_DIR = uploadDir;
  anonymous = anonymousCaller(handle.db);
  memberUser = await makeUser(handle.db, { name: 'Viewer Member' });
  await setMembership(memberUser.id, 'active');
  member = (await callerFor(handle.db, memberUser)).caller;
  adminUser = await makeUser(handle.db, { roles: ['member', 'admin'], totp: true, name: 'Viewer Admin' });
  admin = (await callerFor(handle.db, adminUser)).caller;
});
afterAll(() => rmSync(uploadDir, { recursive: true, force: true }));

async function setMembership(userId: string, status: MembershipStatus, categoryId = 'practitioner'): Promise<void> {
  const now = Date.now();
  await handle.db
    .insert(memberships)
    .values({ userId, categoryId, status, statusChangedAt: now, number: null, joinedAt: now })
    .onConflictDoUpdate({ target: memberships.userId, set: { status, categoryId } });
}

interface ProfileSpec {
  name: string;
  visibility?: FieldVisibility;
  city?: string;
  country?: string;
  languages?: string[];
  practiceName?: string;
  specialties?: string[];
  listed?: boolean;
  status?: MembershipStatus;
  categoryId?: string;
  photo?: boolean;
}

/** A member with a saved profile, every field at `visibility`, saved through the real procedure. */
async function makeListedMember(spec: ProfileSpec): Promise<{ user: MadeUser; caller: Caller }> {
  const user = await makeUser(handle.db, { name: spec.name });
  await setMembership(user.id, 'active', spec.categoryId);
  const { caller } = await callerFor(handle.db, user);
  const visibility = spec.visibility ?? 'public';
  await caller.directory.saveProfile({
    bio: `Biography of ${spec.name}.`,
    bioVisibility: visibility,
    practiceName: spec.practiceName ?? `${spec.name} ECP Clinic`,
    city: spec.city ?? 'Heidelberg',
    country: spec.country ?? 'DE',
    locationVisibility: visibility,
    languages: spec.languages ?? ['English'],
    languagesVisibility: visibility,
    specialties: spec.specialties ?? ['Refractory angina'],
    specialtiesVisibility: visibility,
    photoVisibility: visibility,
    listed: spec.listed ?? true,
    photo: spec.photo ? { bytes: JPEG, fileName: 'me.jpg' } : null,
  });
  if (spec.status && spec.status !== 'active') await setMembership(user.id, spec.status, spec.categoryId);
  return { user, caller };
}

function entryFor(entries: DirectoryEntry[], userId: string): DirectoryEntry | undefined {
  return entries.find((e) => e.userId === userId);
}

// --- Visibility: every field setting for every viewer, in the listing, the profile page and the search ---

const VISIBILITIES: FieldVisibility[] = ['public', 'members', 'hidden'];
type ViewerName = 'anonymous' | 'member' | 'admin';
const VIEWERS: ViewerName[] = ['anonymous', 'member', 'admin'];

/** Whether a viewer sees a field set to `visibility` in the view they use (anonymous: public; others: members). */
function expectVisible(viewer: ViewerName, visibility: FieldVisibility): boolean {
  if (visibility === 'public') return true;
  if (visibility === 'members') return viewer !== 'anonymous';
  return viewer === 'admin';
}

/** Search finds a field only when it is indexed for the viewer's columns; hidden fields are indexed for no one. */
function expectSearchable(viewer: ViewerName, visibility: FieldVisibility): boolean {
  return visibility === 'public' || (visibility === 'members' && viewer !== 'anonymous');
}

const subjects = new Map<FieldVisibility, MadeUser>();
beforeAll(async () => {
  for (const visibility of VISIBILITIES) {
    const { user } = await makeListedMember({
      name: `Vis ${visibility} Person`,
      visibility,
      city: `Vistown${visibility}`,
      country: visibility === 'public' ? 'PT' : visibility === 'members' ? 'NO' : 'IS',
      languages: [`Vislang${visibility}`],
      practiceName: `Vispractice${visibility} Heart Centre`,
      specialties: [`Visspecialty${visibility}`, 'Refractory angina'],
      photo: true,
    });
    subjects.set(visibility, user);
  }
});

function callerOf(viewer: ViewerName): Caller {
  return viewer === 'anonymous' ? anonymous : viewer === 'member' ? member : admin;
}

/** Anonymous visitors use the public search; members and admins the members' directory. */
function searchAs(viewer: ViewerName, input: Record<string, unknown>) {
  const caller = callerOf(viewer);
  return viewer === 'anonymous' ? caller.directory.search(input) : caller.directory.memberSearch(input);
}

function profileAs(viewer: ViewerName, userId: string) {
  const caller = callerOf(viewer);
  return viewer === 'anonymous'
    ? caller.directory.getProfile({ userId })
    : caller.directory.getMemberProfile({ userId });
}

const CASES = VISIBILITIES.flatMap((visibility) => VIEWERS.map((viewer) => ({ visibility, viewer })));

test.each(CASES)(
  'shows fields set to $visibility to $viewer in the listing only when allowed',
  async ({ visibility, viewer }) => {
    const subject = subjects.get(visibility);
    if (!subject) throw new Error('no subject');
    const page = await searchAs(viewer, { q: `Vis ${visibility} Person` });
    const entry = entryFor(page.entries, subject.id);
    // The name is always listed.
    expect(entry?.name).toBe(`Vis ${visibility} Person`);
    const visible = expectVisible(viewer, visibility);
    expect(entry?.city).toBe(visible ? `Vistown${visibility}` : null);
    expect(entry?.practiceName).toBe(visible ? `Vispractice${visibility} Heart Centre` : null);
    expect(entry?.country).toBe(
      visible ? (visibility === 'public' ? 'PT' : visibility === 'members' ? 'NO' : 'IS') : null,
    );
    expect(entry?.languages).toEqual(visible ? [`Vislang${visibility}`] : []);
    expect(entry?.specialties).toEqual(visible ? [`Visspecialty${visibility}`, 'Refractory angina'] : []);
    expect(entry?.photoUrl === null).toBe(!visible);
  },
);

test.each(CASES)(
  'shows fields set to $visibility to $viewer on the profile page only when allowed',
  async ({ visibility, viewer }) => {
    const subject = subjects.get(visibility);
    if (!subject) throw new Error('no subject');
    const profile = await profileAs(viewer, subject.id);
    const visible = expectVisible(viewer, visibility);
    expect(profile.name).toBe(`Vis ${visibility} Person`);
    expect(profile.bio).toBe(visible ? `Biography of Vis ${visibility} Person.` : null);
    expect(profile.city).toBe(visible ? `Vistown${visibility}` : null);
    expect(profile.languages).toEqual(visible ? [`Vislang${visibility}`] : []);
    expect(profile.specialties).toEqual(visible ? [`Visspecialty${visibility}`, 'Refractory angina'] : []);
    expect(profile.photoUrl === null).toBe(!visible);
    // The photo itself follows the same rule as its link.
    const viewerUser = viewer === 'anonymous' ? null : viewer === 'member' ? memberUser : adminUser;
    const directoryViewer = await resolveViewer(
      handle.db,
      viewerUser
        ? {
            id: viewerUser.id,
            roles: viewer === 'admin' ? ['member', 'admin'] : ['member'],
            totpEnabled: viewer === 'admin',
          }
        : null,
    );
    expect((await photoForViewer(handle.db, directoryViewer, subject.id)) !== null).toBe(visible);
  },
);

test.each(CASES)(
  'finds a member by a field set to $visibility for $viewer only when allowed',
  async ({ visibility, viewer }) => {
    const subject = subjects.get(visibility);
    if (!subject) throw new Error('no subject');
    const found = (input: Record<string, unknown>) =>
      searchAs(viewer, input).then((page) => entryFor(page.entries, subject.id) !== undefined);
    const searchable = expectSearchable(viewer, visibility);
    expect(await found({ city: `Vistown${visibility}` })).toBe(searchable);
    expect(await found({ q: `Vistown${visibility}` })).toBe(searchable);
    expect(await found({ language: `Vislang${visibility}` })).toBe(searchable);
    expect(await found({ q: `Vislang${visibility}` })).toBe(searchable);
    // The practice follows the location's setting, the specialties their own (here all the same setting).
    expect(await found({ q: `Vispractice${visibility}` })).toBe(searchable);
    expect(await found({ q: `Vispractice${visibility} Heart` })).toBe(searchable);
    expect(await found({ q: `Visspecialty${visibility}` })).toBe(searchable);
    const country = visibility === 'public' ? 'PT' : visibility === 'members' ? 'NO' : 'IS';
    // The country filter is exact (SQL, not the index) but follows the same rule.
    expect(await found({ country })).toBe(searchable);
  },
);

test('shows only public fields in the public search, even to members and admins', async () => {
  const subject = subjects.get('members');
  if (!subject) throw new Error('no subject');
  for (const caller of [member, admin]) {
    const entry = entryFor((await caller.directory.search({ q: 'Vis members Person' })).entries, subject.id);
    expect(entry?.city).toBeNull();
    expect((await caller.directory.search({ city: 'Vistownmembers' })).total).toBe(0);
    expect((await caller.directory.getProfile({ userId: subject.id })).bio).toBeNull();
  }
});

test('keeps the members’ directory from visitors and from users without a membership in good standing', async () => {
  expect((await trpcErrorOf(anonymous.directory.memberSearch({}))).code).toBe('UNAUTHORIZED');
  const applicant = await makeUser(handle.db, { roles: [] });
  const applicantCaller = (await callerFor(handle.db, applicant)).caller;
  expect((await trpcErrorOf(applicantCaller.directory.memberSearch({}))).code).toBe('FORBIDDEN');
  await setMembership(applicant.id, 'pending');
  expect((await trpcErrorOf(applicantCaller.directory.memberSearch({}))).code).toBe('FORBIDDEN');
  await setMembership(applicant.id, 'grace');
  expect((await applicantCaller.directory.memberSearch({})).total).toBeGreaterThan(0);
  await setMembership(applicant.id, 'lapsed');
  const refused = await trpcErrorOf(applicantCaller.directory.getMemberProfile({ userId: memberUser.id }));
  expect(refused.code).toBe('FORBIDDEN');
  expect(refused.message).toContain('members in good standing');
});

// --- Who is listed ---

test.each([
  { status: 'lapsed', listed: false },
  { status: 'suspended', listed: false },
  { status: 'resigned', listed: false },
  { status: 'pending', listed: false },
  { status: 'grace', listed: true },
  { status: 'active', listed: true },
] as const)('lists a $status member: $listed', async ({ status, listed }) => {
  const name = `Standing ${status} Person`;
  const { user } = await makeListedMember({ name, status });
  for (const viewer of VIEWERS) {
    const page = await searchAs(viewer, { q: name });
    expect(entryFor(page.entries, user.id) !== undefined, `${viewer} search`).toBe(listed);
    const outcome = await profileAs(viewer, user.id).then(
      () => 'shown',
      (error: { code?: string }) => error.code,
    );
    expect(outcome, `${viewer} profile`).toBe(listed ? 'shown' : 'NOT_FOUND');
  }
});

test('drops a member from the directory the moment their membership lapses, and back on renewal', async () => {
  const { user } = await makeListedMember({ name: 'Lapsing Lena' });
  expect(entryFor((await anonymous.directory.search({ q: 'Lapsing' })).entries, user.id)).toBeDefined();
  await handle.db.update(memberships).set({ status: 'lapsed' }).where(eq(memberships.userId, user.id));
  expect((await anonymous.directory.search({ q: 'Lapsing' })).total).toBe(0);
  expect((await member.directory.memberSearch({ q: 'Lapsing' })).total).toBe(0);
  await handle.db.update(memberships).set({ status: 'active' }).where(eq(memberships.userId, user.id));
  expect((await anonymous.directory.search({ q: 'Lapsing' })).total).toBe(1);
});

test('never shows an erased account', async () => {
  const { user } = await makeListedMember({ name: 'Erased Erwin' });
  await handle.db.update(users).set({ erasedAt: Date.now() }).where(eq(users.id, user.id));
  expect((await admin.directory.memberSearch({ q: 'Erased' })).total).toBe(0);
  expect((await trpcErrorOf(anonymous.directory.getProfile({ userId: user.id }))).code).toBe('NOT_FOUND');
  expect(await photoForViewer(handle.db, ANONYMOUS_VIEWER, user.id)).toBeNull();
});

test('leaves honorary (industry) members out of the public practitioner search but lists them for members', async () => {
  const { user } = await makeListedMember({ name: 'Honorary Hanna', categoryId: 'honorary' });
  expect((await anonymous.directory.search({ q: 'Honorary Hanna' })).total).toBe(0);
  expect((await trpcErrorOf(anonymous.directory.getProfile({ userId: user.id }))).code).toBe('NOT_FOUND');
  const entry = entryFor((await member.directory.memberSearch({ q: 'Honorary Hanna' })).entries, user.id);
  expect(entry?.categoryName).toBe('Honorary member (industry)');
});

test('removes a member from every view at once when they opt out, and lets them preview their own profile', async () => {
  const { user, caller } = await makeListedMember({ name: 'Optout Olga' });
  expect((await anonymous.directory.search({ q: 'Optout' })).total).toBe(1);
  const own = await caller.directory.myProfile();
  await caller.directory.saveProfile({ ...own.profile, listed: false, photo: null });
  expect((await anonymous.directory.search({ q: 'Optout' })).total).toBe(0);
  expect((await member.directory.memberSearch({ q: 'Optout' })).total).toBe(0);
  expect((await admin.directory.memberSearch({ q: 'Optout' })).total).toBe(0);
  expect((await trpcErrorOf(member.directory.getMemberProfile({ userId: user.id }))).code).toBe('NOT_FOUND');
  // The member still sees their own page, marked as not listed.
  const preview = await caller.directory.getMemberProfile({ userId: user.id });
  expect(preview.listed).toBe(false);
  expect(preview.bio).toBe('Biography of Optout Olga.');
});

test('finds a member under their new name after reindexMemberName', async () => {
  const { user } = await makeListedMember({ name: 'Oldname Otto', practiceName: 'Riverside ECP Clinic' });
  await handle.db.update(users).set({ name: 'Newname Nora' }).where(eq(users.id, user.id));
  expect((await anonymous.directory.search({ q: 'Newname' })).total).toBe(0);
  await reindexMemberName(handle.db, user.id);
  expect(entryFor((await anonymous.directory.search({ q: 'Newname' })).entries, user.id)?.name).toBe('Newname Nora');
  expect((await anonymous.directory.search({ q: 'Oldname' })).total).toBe(0);
});

// --- Paging ---

test('pages 20 entries at a time in name order with the total', async () => {
  const made: string[] = [];
  for (let i = 0; i < 45; i++) {
    const name = `Pager ${String(i).padStart(2, '0')}`;
    await makeListedMember({ name, city: 'Pagetown' });
    made.push(name);
  }
  const pages = [];
  for (const page of [1, 2, 3]) pages.push(await anonymous.directory.search({ city: 'Pagetown', page }));
  expect(pages.map((p) => p.total)).toEqual([45, 45, 45]);
  expect(pages.map((p) => p.pageCount)).toEqual([3, 3, 3]);
  expect(pages.map((p) => p.entries.length)).toEqual([DIRECTORY_PAGE_SIZE, DIRECTORY_PAGE_SIZE, 5]);
  expect(pages.flatMap((p) => p.entries.map((e) => e.name))).toEqual(made);
  // A page past the end shows the last page rather than nothing.
  const beyond = await anonymous.directory.search({ city: 'Pagetown', page: 99 });
  expect(beyond.page).toBe(3);
  expect(beyond.entries.map((e) => e.name)).toEqual(made.slice(40));
});

// --- Search input that looks like FTS5 syntax ---

const HOSTILE = [
  '"',
  '""',
  '"unbalanced',
  "O'Brien",
  '*',
  'Heid*',
  '**',
  'NEAR(',
  'NEAR(a b, 2)',
  'a OR b',
  'OR',
  'AND NOT',
  'NOT',
  '-x',
  '+',
  '^Heidelberg',
  'city_public:Heidelberg',
  '{city_members}: Vistownhidden',
  '{user_id}:x',
  'name:"x"',
  'country_members : NO',
  '(',
  ')',
  'a) OR (b',
  '\\',
  'DROP TABLE users; --',
  '%_%',
  '\u0000',
  '🙂',
  'Ünïcödé',
  'x'.repeat(100),
];

test.each(HOSTILE)('answers search text %j with results or an empty list, never an error', async (text) => {
  for (const viewer of VIEWERS) {
    for (const field of ['q', 'city', 'language'] as const) {
      const value = text.slice(0, field === 'language' ? 40 : 80);
      const page = await searchAs(viewer, { [field]: value });
      // A well-formed first page: the total counts the matches and the page holds the first of them.
      expect(Number.isInteger(page.total)).toBe(true);
      expect(page.entries).toHaveLength(Math.min(page.total, DIRECTORY_PAGE_SIZE));
      expect(new Set(page.entries.map((e) => e.userId)).size).toBe(page.entries.length);
      // Column syntax in the text does not reach a hidden field: the hidden city finds no one.
      if (value.includes('Vistownhidden')) expect(page.total).toBe(0);
    }
  }
});

test('does not let typed column filters reach hidden or members-only columns', async () => {
  const hidden = subjects.get('hidden');
  const membersOnly = subjects.get('members');
  if (!hidden || !membersOnly) throw new Error('no subjects');
  for (const q of [
    '{city_members}: Vistownhidden',
    'city_members:Vistownmembers',
    '{city_members city_public} : Vistownmembers',
  ]) {
    const page = await anonymous.directory.search({ q });
    expect(entryFor(page.entries, membersOnly.id)).toBeUndefined();
    expect(entryFor(page.entries, hidden.id)).toBeUndefined();
  }
});

test('quotes every word as a phrase, doubles quotes, and matches the last word as a prefix', () => {
  expect(ftsPhrases('Anna "Maria" NEAR(')).toEqual(['"Anna"', '"""Maria"""', '"NEAR("*']);
  expect(ftsPhrases('* " ** ( )')).toEqual([]);
  expect(buildDirectoryMatch({ q: 'OR', city: '', language: 'en' }, 'public')).toBe(
    '{name country_public city_public languages_public practice_public specialties_public} : "OR"* AND {languages_public} : "en"*',
  );
  expect(buildDirectoryMatch({ q: 'x', city: 'y', language: '' }, 'members')).toBe(
    '{name country_members city_members languages_members practice_members specialties_members} : "x"* AND {city_members} : "y"*',
  );
  expect(buildDirectoryMatch({ q: '', city: '', language: '' }, 'public')).toBeNull();
});

test('matches names without their accents and by a prefix while typing', async () => {
  const { user } = await makeListedMember({ name: 'Zoë Müller-Lüdenscheidt' });
  for (const q of ['zoe muller', 'Mül', 'ZOË', 'lüdensch']) {
    expect(entryFor((await anonymous.directory.search({ q })).entries, user.id), q).toBeDefined();
  }
});

test('refuses a search with an unknown country or an overlong text as field errors', async () => {
  const badCountry = await trpcErrorOf(anonymous.directory.search({ country: 'XX' }));
  expect(badCountry.code).toBe('BAD_REQUEST');
  const long = await trpcErrorOf(anonymous.directory.search({ q: 'x'.repeat(101) }));
  expect(long.code).toBe('BAD_REQUEST');
});
