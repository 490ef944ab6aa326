/**
 * The members' directory and the public "find an ECP practitioner": who is listed, what each viewer may
 * see of them, and the FTS5 search over `member_directory_search` (migration 0007).
 *
 * The search table holds one row per profile, rewritten on every profile save and name change. A field goes
 * to the *_public columns only when its visibility is 'public', and to the *_members columns when it is
 * 'public' or 'members', so a search can only match what the viewer may see; hidden fields are in no
 * column. Whether someone is listed at all (opt-in, membership in good standing, account not erased) is
 * decided at query time from member_profiles, memberships and users, so a lapse, a suspension or an
 * opt-out takes effect at once with nothing to rewrite.
 */
import { eq, type SQL, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '#db/client.ts';
import {
  type FieldVisibility,
  type MembershipStatus,
  memberProfiles,
  membershipCategories,
  memberships,
  users,
} from '#db/schema/index.ts';
import { IN_GOOD_STANDING } from '#src/lib/membership-rules.ts';
import { countryName, type DirectorySearchInput } from '#src/lib/schemas.ts';
import { pageWindow } from './paging.ts';

/** Entries per directory page. */
export const DIRECTORY_PAGE_SIZE = 20;

/**
 * Categories whose members the public practitioner search leaves out: the honorary (industry) category's
 * own description says its members "are not listed as practitioners". The members' directory shows them.
 */
export const NOT_PRACTITIONER_CATEGORIES: readonly string[] = ['honorary'];

/**
 * Who is looking: 'public' sees public fields; 'members' (a member in good standing) also members-only
 * fields; 'admin' and the member themself ('self') see every field, hidden ones included.
 */
export type Audience = 'public' | 'members' | 'admin' | 'self';

export interface DirectoryViewer {
  userId: string | null;
  /** The most this viewer may see of other members: 'public', 'members' or 'admin'. */
  audience: Exclude<Audience, 'self'>;
}

export const ANONYMOUS_VIEWER: DirectoryViewer = { userId: null, audience: 'public' };

/** The parts of a signed-in user the directory needs (pass null for visitors and half-signed-in sessions). */
export interface ViewerUser {
  id: string;
  roles: readonly string[];
  totpEnabled: boolean;
}

/**
 * What a signed-in user may see: admins (role and second factor, as roleProcedure demands) everything,
 * members in good standing members-only fields, everyone else what the public sees.
 */
export async function resolveViewer(db: DbOrTx, user: ViewerUser | null): Promise<DirectoryViewer> {
  if (!user) return ANONYMOUS_VIEWER;
  if (user.roles.includes('admin') && user.totpEnabled) return { userId: user.id, audience: 'admin' };
  const rows = await db
    .select({ status: memberships.status })
    .from(memberships)
    .where(eq(memberships.userId, user.id))
    .limit(1);
  const status = rows[0]?.status;
  return { userId: user.id, audience: status && IN_GOOD_STANDING.includes(status) ? 'members' : 'public' };
}

/** True when `audience` may see a field with `visibility`. */
export function canSee(visibility: FieldVisibility, audience: Audience): boolean {
  if (visibility === 'public') return true;
  if (visibility === 'members') return audience !== 'public';
  return audience === 'admin' || audience === 'self';
}

// ---------------------------------------------------------------------------------------------------------
// The search index

/** Text a field contributes to the index for each column group (empty when that group may not see it). */
function indexed(value: string, visibility: FieldVisibility): { pub: string; mem: string } {
  return { pub: visibility === 'public' ? value : '', mem: visibility === 'hidden' ? '' : value };
}

/** Removes a member's row from the search index (e.g. when their account is erased). */
export async function deleteDirectoryRow(db: DbOrTx, userId: string): Promise<void> {
  await db.run(sql`delete from member_directory_search where user_id = ${userId}`);
}

/**
 * Rewrites a member's search row from their profile and current name; removes it when they have no
 * profile or their account is erased. Call inside the transaction that changed either.
 */
export async function writeDirectoryRow(db: DbOrTx, userId: string): Promise<void> {
  await deleteDirectoryRow(db, userId);
  const rows = await db
    .select({
      name: users.name,
      erasedAt: users.erasedAt,
      city: memberProfiles.city,
      country: memberProfiles.country,
      locationVisibility: memberProfiles.locationVisibility,
      languagesJson: memberProfiles.languagesJson,
      languagesVisibility: memberProfiles.languagesVisibility,
      practiceName: memberProfiles.practiceName,
      specialtiesJson: memberProfiles.specialtiesJson,
      specialtiesVisibility: memberProfiles.specialtiesVisibility,
    })
    .from(memberProfiles)
    .innerJoin(users, eq(users.id, memberProfiles.userId))
    .where(eq(memberProfiles.userId, userId))
    .limit(1);
  const row = rows[0];
  if (!row || row.erasedAt !== null) return;
  // Country names, not codes: a two-letter code would match words in names ("de", "st") in free-text search.
  const country = indexed(row.country ? countryName(row.country) : '', row.locationVisibility);
  const city = indexed(row.city, row.locationVisibility);
  const languages = indexed(parseList(row.languagesJson).join(' '), row.languagesVisibility);
  // The practice is shown with the location (DirectoryEntry.practiceName), so it follows that visibility.
  const practice = indexed(row.practiceName, row.locationVisibility);
  const specialties = indexed(parseList(row.specialtiesJson).join(' '), row.specialtiesVisibility);
  await db.run(
    sql`insert into member_directory_search (user_id, name,
          country_public, city_public, languages_public, practice_public, specialties_public,
          country_members, city_members, languages_members, practice_members, specialties_members)
        values (${userId}, ${row.name},
          ${country.pub}, ${city.pub}, ${languages.pub}, ${practice.pub}, ${specialties.pub},
          ${country.mem}, ${city.mem}, ${languages.mem}, ${practice.mem}, ${specialties.mem})`,
  );
}

/** For a member's name change: rewrites their search row (a no-op for users without a profile). */
export async function reindexMemberName(db: DbOrTx, userId: string): Promise<void> {
  await writeDirectoryRow(db, userId);
}

// ---------------------------------------------------------------------------------------------------------
// Search

/** Most words taken from one search box; more only slow the query without narrowing it in practice. */
const MAX_TERMS_PER_FIELD = 8;

/**
 * The user's text as FTS5 phrases: split at white space, each word quoted as a phrase (double quotes
 * doubled), so operators (OR, NOT, NEAR(…), `*`, `^`, `col:`, `{cols}:`) are only ever words to find.
 * Words without a letter or digit are dropped (the tokenizer would leave an empty phrase). The last word
 * matches as a prefix, so "Mül" finds "Müller" while typing.
 */
export function ftsPhrases(text: string): string[] {
  const words = text
    .split(/\s+/)
    .filter((word) => /[\p{L}\p{N}]/u.test(word))
    .slice(0, MAX_TERMS_PER_FIELD);
  return words.map((word, i) => {
    const phrase = `"${word.replaceAll('"', '""')}"`;
    return i === words.length - 1 ? `${phrase}*` : phrase;
  });
}

type ColumnGroup = 'public' | 'members';

/**
 * The MATCH expression for a search, or null when no text was typed. Every phrase carries its own column
 * filter, built here from fixed column names only; all phrases must match.
 */
export function buildDirectoryMatch(
  input: Pick<DirectorySearchInput, 'q' | 'city' | 'language'>,
  group: ColumnGroup,
): string | null {
  const suffix = group === 'public' ? '_public' : '_members';
  const parts: string[] = [];
  const anyColumn = `{name country${suffix} city${suffix} languages${suffix} practice${suffix} specialties${suffix}}`;
  for (const phrase of ftsPhrases(input.q)) parts.push(`${anyColumn} : ${phrase}`);
  for (const phrase of ftsPhrases(input.city)) parts.push(`{city${suffix}} : ${phrase}`);
  for (const phrase of ftsPhrases(input.language)) parts.push(`{languages${suffix}} : ${phrase}`);
  return parts.length > 0 ? parts.join(' AND ') : null;
}

/** The two directory views: the members' directory (/members) and the public search (/find-a-practitioner). */
export type DirectoryView = 'members' | 'public';

/** One member as a viewer sees them. Fields the viewer may not see are null (lists: empty). */
export interface DirectoryEntry {
  userId: string;
  name: string;
  categoryName: string;
  practiceName: string | null;
  city: string | null;
  country: string | null;
  countryName: string | null;
  languages: string[];
  specialties: string[];
  /** The photo's address, when there is one the viewer may see. */
  photoUrl: string | null;
}

export interface DirectoryProfile extends DirectoryEntry {
  bio: string | null;
  /** Shown to the member themself: whether the public and members can find this profile. */
  listed: boolean;
  inGoodStanding: boolean;
}

export interface DirectoryPage {
  entries: DirectoryEntry[];
  total: number;
  page: number;
  pageCount: number;
  pageSize: number;
}

interface ProfileRow {
  userId: string;
  name: string;
  categoryName: string;
  status: MembershipStatus;
  listed: boolean;
  bio: string;
  bioVisibility: FieldVisibility;
  practiceName: string;
  city: string;
  country: string;
  locationVisibility: FieldVisibility;
  languagesJson: string;
  languagesVisibility: FieldVisibility;
  specialtiesJson: string;
  specialtiesVisibility: FieldVisibility;
  photoStoredName: string | null;
  photoVisibility: FieldVisibility;
  updatedAt: number;
}

const PROFILE_COLUMNS = {
  userId: memberProfiles.userId,
  name: users.name,
  categoryName: membershipCategories.name,
  status: memberships.status,
  listed: memberProfiles.listed,
  bio: memberProfiles.bio,
  bioVisibility: memberProfiles.bioVisibility,
  practiceName: memberProfiles.practiceName,
  city: memberProfiles.city,
  country: memberProfiles.country,
  locationVisibility: memberProfiles.locationVisibility,
  languagesJson: memberProfiles.languagesJson,
  languagesVisibility: memberProfiles.languagesVisibility,
  specialtiesJson: memberProfiles.specialtiesJson,
  specialtiesVisibility: memberProfiles.specialtiesVisibility,
  photoStoredName: memberProfiles.photoStoredName,
  photoVisibility: memberProfiles.photoVisibility,
  updatedAt: memberProfiles.updatedAt,
};

export function parseList(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

/** The address of a member's photo; the version makes a browser fetch the new one after a change. */
export function photoUrl(userId: string, updatedAt: number): string {
  return `/members/${encodeURIComponent(userId)}/photo?v=${updatedAt}`;
}

function toEntry(row: ProfileRow, audience: Audience): DirectoryEntry {
  const location = canSee(row.locationVisibility, audience);
  return {
    userId: row.userId,
    name: row.name,
    categoryName: row.categoryName,
    practiceName: location && row.practiceName ? row.practiceName : null,
    city: location && row.city ? row.city : null,
    country: location && row.country ? row.country : null,
    countryName: location && row.country ? countryName(row.country) : null,
    languages: canSee(row.languagesVisibility, audience) ? parseList(row.languagesJson) : [],
    specialties: canSee(row.specialtiesVisibility, audience) ? parseList(row.specialtiesJson) : [],
    photoUrl: row.photoStoredName && canSee(row.photoVisibility, audience) ? photoUrl(row.userId, row.updatedAt) : null,
  };
}

function inList(values: readonly string[]): SQL {
  return sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  );
}

/** Listed, in good standing, not erased; for the public view, practitioners only. */
function listedCondition(view: DirectoryView): SQL {
  const conditions = [
    sql`${memberProfiles.listed} = 1`,
    sql`${memberships.status} in (${inList(IN_GOOD_STANDING)})`,
    sql`${users.erasedAt} is null`,
  ];
  if (view === 'public')
    conditions.push(sql`${memberships.categoryId} not in (${inList(NOT_PRACTITIONER_CATEGORIES)})`);
  return sql.join(conditions, sql` and `);
}

/**
 * Visibilities a search may match for an audience: the same rule as the index columns, so a hidden field is
 * found by no one (admins see it on the page, but the directory does not search it).
 */
function searchableVisibilities(audience: Audience): FieldVisibility[] {
  return audience === 'public' ? ['public'] : ['public', 'members'];
}

/**
 * One page of the directory for a viewer: in the public view public fields only (whoever looks), in the
 * members' view what the viewer's audience allows. Text is matched through FTS5 on the columns that
 * audience may search; the country filter is exact and follows the same rule.
 */
export async function searchDirectory(
  db: DbOrTx,
  viewer: DirectoryViewer,
  view: DirectoryView,
  input: DirectorySearchInput,
): Promise<DirectoryPage> {
  const audience: Audience = view === 'public' ? 'public' : viewer.audience;
  const conditions: SQL[] = [listedCondition(view)];
  const match = buildDirectoryMatch(input, audience === 'public' ? 'public' : 'members');
  if (match) {
    conditions.push(
      sql`${memberProfiles.userId} in (select user_id from member_directory_search where member_directory_search match ${match})`,
    );
  }
  if (input.country) {
    conditions.push(
      sql`${memberProfiles.country} = ${input.country} and ${memberProfiles.locationVisibility} in (${inList(searchableVisibilities(audience))})`,
    );
  }
  const where = sql.join(conditions, sql` and `);
  const countRows = await db
    .select({ n: sql<number>`count(*)` })
    .from(memberProfiles)
    .innerJoin(users, eq(users.id, memberProfiles.userId))
    .innerJoin(memberships, eq(memberships.userId, memberProfiles.userId))
    .where(where);
  const total = Number(countRows[0]?.n ?? 0);
  const { page, pageCount, offset } = pageWindow(total, DIRECTORY_PAGE_SIZE, input.page);
  const rows = await db
    .select(PROFILE_COLUMNS)
    .from(memberProfiles)
    .innerJoin(users, eq(users.id, memberProfiles.userId))
    .innerJoin(memberships, eq(memberships.userId, memberProfiles.userId))
    .innerJoin(membershipCategories, eq(membershipCategories.id, memberships.categoryId))
    .where(where)
    .orderBy(sql`${users.name} collate nocase`, memberProfiles.userId)
    .limit(DIRECTORY_PAGE_SIZE)
    .offset(offset);
  return {
    entries: rows.map((row) => toEntry(row, audience)),
    total,
    page,
    pageCount,
    pageSize: DIRECTORY_PAGE_SIZE,
  };
}

async function profileRow(
  db: DbOrTx,
  userId: string,
): Promise<(ProfileRow & { categoryId: string; erased: boolean }) | null> {
  const rows = await db
    .select({ ...PROFILE_COLUMNS, categoryId: memberships.categoryId, erasedAt: users.erasedAt })
    .from(memberProfiles)
    .innerJoin(users, eq(users.id, memberProfiles.userId))
    .innerJoin(memberships, eq(memberships.userId, memberProfiles.userId))
    .innerJoin(membershipCategories, eq(membershipCategories.id, memberships.categoryId))
    .where(eq(memberProfiles.userId, userId))
    .limit(1);
  const row = rows[0];
  return row ? { ...row, erased: row.erasedAt !== null } : null;
}

function isFindable(
  row: { listed: boolean; status: MembershipStatus; erased: boolean; categoryId: string },
  view: DirectoryView,
): boolean {
  if (!row.listed || row.erased || !IN_GOOD_STANDING.includes(row.status)) return false;
  return view === 'members' || !NOT_PRACTITIONER_CATEGORIES.includes(row.categoryId);
}

/**
 * One member's directory profile as the viewer may see it, or null when it is not in the directory for
 * them. A member always sees their own profile (a preview, even when unlisted): in the public view with
 * public fields only, in the members' view with everything.
 */
export async function getDirectoryProfile(
  db: DbOrTx,
  viewer: DirectoryViewer,
  view: DirectoryView,
  userId: string,
): Promise<DirectoryProfile | null> {
  const row = await profileRow(db, userId);
  if (!row || row.erased) return null;
  const self = viewer.userId === userId;
  if (!self && !isFindable(row, view)) return null;
  const audience: Audience = view === 'public' ? 'public' : self ? 'self' : viewer.audience;
  return {
    ...toEntry(row, audience),
    bio: canSee(row.bioVisibility, audience) && row.bio ? row.bio : null,
    listed: row.listed,
    inGoodStanding: IN_GOOD_STANDING.includes(row.status),
  };
}

/**
 * The stored photo of a member when `viewer` may see it: the member and admins always, others when the
 * member is in the directory and the photo's visibility allows their audience.
 */
export async function photoForViewer(
  db: Db,
  viewer: DirectoryViewer,
  userId: string,
): Promise<{ storedName: string; contentType: string } | null> {
  const rows = await db
    .select({
      storedName: memberProfiles.photoStoredName,
      mimeType: memberProfiles.photoMimeType,
      photoVisibility: memberProfiles.photoVisibility,
      listed: memberProfiles.listed,
      status: memberships.status,
      categoryId: memberships.categoryId,
      erasedAt: users.erasedAt,
    })
    .from(memberProfiles)
    .innerJoin(users, eq(users.id, memberProfiles.userId))
    .leftJoin(memberships, eq(memberships.userId, memberProfiles.userId))
    .where(eq(memberProfiles.userId, userId))
    .limit(1);
  const row = rows[0];
  if (!row?.storedName || !row.mimeType || row.erasedAt !== null) return null;
  const photo = { storedName: row.storedName, contentType: row.mimeType };
  if (viewer.userId === userId || viewer.audience === 'admin') return photo;
  if (!row.status) return null;
  const findable = isFindable(
    { listed: row.listed, status: row.status, erased: false, categoryId: row.categoryId ?? '' },
    'members',
  );
  return findable && canSee(row.photoVisibility, viewer.audience) ? photo : null;
}
