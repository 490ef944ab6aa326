import { and, asc, count, eq, gte, inArray, isNotNull, isNull, or, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '#db/client.ts';
import {
  auditLog,
  MEMBERSHIP_STATUSES,
  type MembershipStatus,
  memberProfiles,
  membershipCategories,
  memberships,
  users,
} from '#db/schema/index.ts';
import { formatLongDate } from '#src/lib/dates.ts';
import { countryField, LIMITS } from '#src/lib/schemas.ts';
import { writeAudit } from '../audit.ts';
import { csvDocument } from '../csv.ts';
import { type Refusal, refuse } from '../refusal.ts';
import { containsIgnoringCase, type Page } from './admin.ts';
import type { RequestMeta, ServiceDeps } from './deps.ts';
import { pageWindow } from './paging.ts';

export const MEMBERS_PAGE_SIZE = 25;

/** Which members a list, an export or a bulk reminder covers. Empty form fields mean "any". */
export const memberFilterInput = z.object({
  query: z.string().trim().max(LIMITS.searchMax, `Search for at most ${LIMITS.searchMax} characters.`).default(''),
  status: z.enum(MEMBERSHIP_STATUSES, { error: 'Choose a status from the list.' }).optional(),
  categoryId: z.string().trim().min(1).max(64).optional(),
  country: countryField.optional(),
});
export type MemberFilter = z.infer<typeof memberFilterInput>;

export const MEMBER_CSV_FIELDS = [
  'number',
  'name',
  'email',
  'status',
  'category',
  'country',
  'city',
  'joined',
  'expires',
] as const;
export type MemberCsvField = (typeof MEMBER_CSV_FIELDS)[number];

export const MEMBER_CSV_FIELD_LABELS: Record<MemberCsvField, string> = {
  number: 'Membership number',
  name: 'Name',
  email: 'Email',
  status: 'Status',
  category: 'Category',
  country: 'Country',
  city: 'City',
  joined: 'Joined',
  expires: 'Expires',
};

export const memberCsvFieldsInput = z
  .array(z.enum(MEMBER_CSV_FIELDS, { error: 'Tick fields from the list.' }))
  .min(1, 'Tick at least one field to export.')
  .max(MEMBER_CSV_FIELDS.length);

export interface MemberAdminRow {
  userId: string;
  number: string | null;
  name: string;
  email: string;
  status: MembershipStatus;
  categoryId: string;
  categoryName: string;
  /** Country of practice from the profile, else the account's country (ISO 3166-1 alpha-2). */
  country: string;
  /** City of practice from the profile; '' when the member has none. */
  city: string;
  joinedAt: number | null;
  expiresAt: number | null;
}

/**
 * The member's country for the admin: where they practise (their profile) when they have said so, else the
 * country they registered with. Every member has the second, few have the first at first.
 */
const memberCountry = sql<string>`coalesce(nullif(${memberProfiles.country}, ''), ${users.country})`;

const rowColumns = {
  userId: memberships.userId,
  number: memberships.number,
  name: users.name,
  email: users.email,
  status: memberships.status,
  categoryId: memberships.categoryId,
  categoryName: membershipCategories.name,
  country: memberCountry,
  city: sql<string>`coalesce(${memberProfiles.city}, '')`,
  joinedAt: memberships.joinedAt,
  expiresAt: memberships.expiresAt,
};

/**
 * The filter as the audit log keeps it: the search text is left out, because it is often a member's name or
 * address, and an erased member's name must not survive in the log (the log keeps that a search was made).
 */
function auditedFilter(filter: MemberFilter): Record<string, unknown> {
  const { query, ...rest } = filter;
  return { ...rest, textSearch: query.trim() !== '' };
}

/** Members of closed (erased) accounts are not members any more: the admin views leave them out. */
function filterConditions(filter: MemberFilter): SQL | undefined {
  const conditions: (SQL | undefined)[] = [isNull(users.erasedAt)];
  if (filter.status) conditions.push(eq(memberships.status, filter.status));
  if (filter.categoryId) conditions.push(eq(memberships.categoryId, filter.categoryId));
  if (filter.country) conditions.push(sql`${memberCountry} = ${filter.country}`);
  const query = filter.query.trim();
  if (query) {
    const pattern = containsIgnoringCase(query);
    conditions.push(
      or(
        sql`${users.name} glob ${pattern}`,
        sql`${users.email} glob ${pattern}`,
        sql`${memberships.number} glob ${pattern}`,
      ),
    );
  }
  return and(...conditions);
}

/** memberships joined with what the admin views show; a query builder so each caller adds its own parts. */
function membersQuery(db: Pick<Db, 'select'>) {
  return db
    .select(rowColumns)
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .innerJoin(membershipCategories, eq(membershipCategories.id, memberships.categoryId))
    .leftJoin(memberProfiles, eq(memberProfiles.userId, memberships.userId))
    .$dynamic();
}

const byName = [sql`${users.name} collate nocase`, asc(users.id)];

/** One page of the members matching the filter, by name. */
export async function searchMembers(db: Db, input: MemberFilter & { page: number }): Promise<Page<MemberAdminRow>> {
  const where = filterConditions(input);
  const [totalRow] = await db
    .select({ n: count() })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .leftJoin(memberProfiles, eq(memberProfiles.userId, memberships.userId))
    .where(where);
  const total = totalRow?.n ?? 0;
  const { page, pageCount, offset } = pageWindow(total, MEMBERS_PAGE_SIZE, input.page);
  const items = await membersQuery(db)
    .where(where)
    .orderBy(...byName)
    .limit(MEMBERS_PAGE_SIZE)
    .offset(offset);
  return { items, page, pageCount, total };
}

export interface MemberStats {
  total: number;
  /** Every status, in lifecycle order, zeros included. */
  byStatus: { status: MembershipStatus; count: number }[];
  /** Every category, archived ones too when they still have members, in the admins' order. */
  byCategory: { categoryId: string; name: string; count: number }[];
  /** Countries with members, most members first. */
  byCountry: { country: string; count: number }[];
}

/** Counts of all members (erased accounts left out) by status, by category and by country. */
export async function memberStats(db: Db): Promise<MemberStats> {
  const live = isNull(users.erasedAt);
  const statusRows = await db
    .select({ status: memberships.status, n: count() })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(live)
    .groupBy(memberships.status);
  const categoryCounts = await db
    .select({ categoryId: memberships.categoryId, n: count() })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(live)
    .groupBy(memberships.categoryId);
  const categories = await db
    .select({ id: membershipCategories.id, name: membershipCategories.name, archived: membershipCategories.archived })
    .from(membershipCategories)
    .orderBy(membershipCategories.sortOrder, membershipCategories.id);
  const countryRows = await db
    .select({ country: memberCountry, n: count() })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .leftJoin(memberProfiles, eq(memberProfiles.userId, memberships.userId))
    .where(live)
    .groupBy(memberCountry);

  const statusCount = new Map(statusRows.map((r) => [r.status, r.n]));
  const categoryCount = new Map(categoryCounts.map((r) => [r.categoryId, r.n]));
  return {
    total: statusRows.reduce((sum, r) => sum + r.n, 0),
    byStatus: MEMBERSHIP_STATUSES.map((status) => ({ status, count: statusCount.get(status) ?? 0 })),
    byCategory: categories
      .map((c) => ({ categoryId: c.id, name: c.name, count: categoryCount.get(c.id) ?? 0, archived: c.archived }))
      .filter((c) => !c.archived || c.count > 0)
      .map(({ archived: _archived, ...c }) => c),
    byCountry: countryRows
      .map((r) => ({ country: r.country, count: r.n }))
      .sort((a, b) => b.count - a.count || a.country.localeCompare(b.country)),
  };
}

/** The countries members are in (for the filter's list), by code. */
export async function memberCountries(db: Db): Promise<string[]> {
  const rows = await db
    .selectDistinct({ country: memberCountry })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .leftJoin(memberProfiles, eq(memberProfiles.userId, memberships.userId))
    .where(isNull(users.erasedAt));
  return rows.map((r) => r.country).sort();
}

const isoDate = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString().slice(0, 10));

function csvValue(row: MemberAdminRow, field: MemberCsvField): string | null {
  switch (field) {
    case 'number':
      return row.number;
    case 'name':
      return row.name;
    case 'email':
      return row.email;
    case 'status':
      return row.status;
    case 'category':
      return row.categoryName;
    case 'country':
      return row.country;
    case 'city':
      return row.city;
    case 'joined':
      return isoDate(row.joinedAt);
    case 'expires':
      return isoDate(row.expiresAt);
  }
}

/**
 * Every member matching the filter as CSV with the chosen fields, in the order of MEMBER_CSV_FIELDS.
 * Audited: a list of members' names and addresses leaving the portal is personal data leaving it.
 */
export async function exportMembersCsv(
  db: Db,
  actorId: string,
  input: { filter: MemberFilter; fields: readonly MemberCsvField[] },
  meta: RequestMeta,
  now = Date.now(),
): Promise<{ csv: string; rowCount: number }> {
  const fields = MEMBER_CSV_FIELDS.filter((f) => input.fields.includes(f));
  const rows = await membersQuery(db)
    .where(filterConditions(input.filter))
    .orderBy(...byName);
  const csv = csvDocument(
    fields,
    rows.map((row) => fields.map((field) => csvValue(row, field))),
  );
  await writeAudit(
    db,
    {
      actorId,
      action: 'member-admin.csv-exported',
      ipAddress: meta.ipAddress,
      details: { filter: auditedFilter(input.filter), fields, rows: rows.length },
    },
    now,
  );
  return { csv, rowCount: rows.length };
}

/** Renewal reminders go to members whose paid-up period ends or has ended; lifetime members never expire. */
export const RENEWABLE_STATUSES: readonly MembershipStatus[] = ['active', 'grace', 'lapsed'];

/** A member gets at most one bulk renewal reminder in this time, however often admins press the button. */
export const BULK_REMINDER_COOLDOWN_MS = 24 * 60 * 60 * 1000;

const REMINDER_AUDIT_ACTION = 'membership.renewal-reminder-sent';

export interface BulkReminderPreview {
  /** Members in the filter. */
  inFilter: number;
  /** Members in the filter with an expiring or expired annual membership. */
  renewable: number;
  /** Of those, members already reminded within the cool-down: they will not be mailed again. */
  recentlyReminded: number;
}

interface Recipient {
  userId: string;
  name: string;
  email: string;
  number: string | null;
  status: MembershipStatus;
  categoryName: string;
  expiresAt: number;
}

async function renewableRecipients(db: Pick<Db, 'select'>, filter: MemberFilter): Promise<Recipient[]> {
  const rows = await membersQuery(db)
    .where(
      and(
        filterConditions(filter),
        inArray(memberships.status, [...RENEWABLE_STATUSES]),
        isNotNull(memberships.expiresAt),
      ),
    )
    .orderBy(...byName);
  return rows.flatMap((r) => (r.expiresAt === null ? [] : [{ ...r, expiresAt: r.expiresAt }]));
}

async function recentlyRemindedIds(db: Pick<Db, 'select'>, userIds: string[], now: number): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const rows = await db
    .select({ subjectId: auditLog.subjectId })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.action, REMINDER_AUDIT_ACTION),
        inArray(auditLog.subjectId, userIds),
        gte(auditLog.at, now - BULK_REMINDER_COOLDOWN_MS),
      ),
    );
  return new Set(rows.flatMap((r) => (r.subjectId ? [r.subjectId] : [])));
}

/** What a bulk reminder for this filter would do, for the confirmation step. */
export async function previewBulkReminder(
  db: Db,
  filter: MemberFilter,
  now = Date.now(),
): Promise<BulkReminderPreview> {
  const [inFilter] = await db
    .select({ n: count() })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .leftJoin(memberProfiles, eq(memberProfiles.userId, memberships.userId))
    .where(filterConditions(filter));
  const recipients = await renewableRecipients(db, filter);
  const reminded = await recentlyRemindedIds(
    db,
    recipients.map((r) => r.userId),
    now,
  );
  return { inFilter: inFilter?.n ?? 0, renewable: recipients.length, recentlyReminded: reminded.size };
}

export type BulkReminderResult = { ok: true; sent: number; skippedRecentlyReminded: number } | Refusal;

function reminderText(r: Recipient, siteUrl: string, now: number): string {
  const number = r.number ? ` ${r.number}` : '';
  const when = formatLongDate(r.expiresAt);
  const state =
    r.expiresAt > now
      ? `Your IECPA membership${number} (${r.categoryName}) expires on ${when}.`
      : `Your IECPA membership${number} (${r.categoryName}) expired on ${when}.`;
  return [
    `Dear ${r.name},`,
    '',
    state,
    `You can renew it in one step at ${siteUrl}/membership/status`,
    '',
    'If you have renewed already, thank you, and please ignore this message.',
    '',
    'International External Counterpulsation Association',
  ].join('\n');
}

/**
 * Mails a renewal reminder to every member of the filter whose annual membership is active, in grace or
 * lapsed. `expectedRenewable` is the count the admin confirmed: if the selection changed since, nothing is
 * sent and the admin confirms again. A member reminded within BULK_REMINDER_COOLDOWN_MS is skipped, so a
 * double click, a second tab or a second admin never mails anyone twice; the check and the audit rows it
 * reads are written in one transaction (writers are serialised), so two requests at once cannot both pass it.
 */
export async function sendBulkReminder(
  db: Db,
  deps: ServiceDeps,
  actorId: string,
  input: { filter: MemberFilter; expectedRenewable: number },
  meta: RequestMeta,
  now = Date.now(),
): Promise<BulkReminderResult> {
  const decided = await db.transaction(async (tx) => {
    const recipients = await renewableRecipients(tx, input.filter);
    if (recipients.length !== input.expectedRenewable) {
      const n = recipients.length;
      return refuse(
        'CONFLICT',
        `The list changed since you confirmed: it now has ${n} member${n === 1 ? '' : 's'} to remind. Nothing was sent; check the list and confirm again.`,
      );
    }
    const reminded = await recentlyRemindedIds(
      tx,
      recipients.map((r) => r.userId),
      now,
    );
    const toMail = recipients.filter((r) => !reminded.has(r.userId));
    for (const r of toMail) {
      await writeAudit(
        tx,
        {
          actorId,
          action: REMINDER_AUDIT_ACTION,
          subjectId: r.userId,
          ipAddress: meta.ipAddress,
          details: { bulk: true },
        },
        now,
      );
    }
    await writeAudit(
      tx,
      {
        actorId,
        action: 'member-admin.bulk-reminder',
        ipAddress: meta.ipAddress,
        details: { filter: auditedFilter(input.filter), sent: toMail.length, skippedRecentlyReminded: reminded.size },
      },
      now,
    );
    return { ok: true, toMail, skipped: reminded.size } as const;
  });
  if (!decided.ok) return decided;
  // Mail after the commit: the outbox row must not vanish with a rolled-back transaction, and background
  // SMTP delivery updates it through `db` after this transaction has ended.
  for (const r of decided.toMail) {
    await deps.mailer.send(db, {
      to: r.email,
      subject: 'Your IECPA membership: time to renew',
      text: reminderText(r, deps.siteUrl, now),
    });
  }
  return { ok: true, sent: decided.toMail.length, skippedRecentlyReminded: decided.skipped };
}
