/**
 * The public registry of credential holders: search by name, country or number, and one record per number
 * (page and JSON). Only issued credentials are listed (not those waiting for sign-off), under the name the
 * holder chose; erased accounts are gone. A record shows the status with its reason class, never the
 * reason's text or any contact detail.
 */
import { and, eq, isNull, ne, sql } from 'drizzle-orm';
import { type Db, readFirstRow } from '#db/client.ts';
import {
  type CredentialStatus,
  credentialDefinitionVersions,
  credentials,
  type ReasonClass,
  registryPreferences,
  users,
} from '#db/schema/index.ts';
import { isCurrentlyCertified, REASON_CLASS_LABELS, STATUS_LABELS } from '#src/lib/credential-rules.ts';
import { COUNTRY_CODES, countryName } from '#src/lib/schemas.ts';
import { CREDENTIAL_NUMBER_PATTERN, normaliseCredentialNumber } from './credentials.ts';
import { CERTIFICATE_NUMBER_PATTERN, normaliseCertificateNumber } from './level-certificates.ts';

export interface RegistryEntry {
  number: string;
  name: string;
  country: string;
  credential: string;
  status: CredentialStatus;
  statusLabel: string;
  /** The public class of the reason for a status other than certified (e.g. "professional conduct"). */
  reasonClass: string | null;
  certifiedNow: boolean;
  issuedAt: number | null;
  /**
   * The end of the validity: when a current credential runs until, or when an expired one ended. Null for a
   * suspended, revoked or inactive credential, which is not valid until any date.
   */
  expiresAt: number | null;
  /**
   * Whether the holder has logged approved CPD in the current period, or has already met the maintenance of
   * the period in progress (renewed ahead): participation, as ABIM shows it. Null when the credential is
   * not current: there is no maintenance to take part in.
   */
  participatingInMaintenance: boolean | null;
  lastChangedAt: number;
  noindex: boolean;
}

const MAX_RESULTS = 50;

/** The listed credentials: issued (not waiting for sign-off), holder not erased. */
function listedColumns() {
  return {
    number: credentials.number,
    name: sql<string>`coalesce(${registryPreferences.displayName}, ${users.name})`,
    country: users.country,
    credential: credentialDefinitionVersions.title,
    status: credentials.status,
    reasonClass: credentials.reasonClass,
    issuedAt: credentials.issuedAt,
    expiresAt: credentials.expiresAt,
    // Renewed ahead (the next period begins later): the period in progress has its maintenance met.
    participating: sql<number>`("credentials"."period_starts_at" > strftime('%s', 'now') * 1000
      or exists (select 1 from "cpd_activities" "a" where "a"."user_id" = "credentials"."user_id"
      and "a"."status" = 'approved' and "credentials"."period_starts_at" is not null
      and "a"."activity_date" >= strftime('%Y-%m-%d', "credentials"."period_starts_at" / 1000, 'unixepoch')))`,
    lastChangedAt: credentials.updatedAt,
    noindex: sql<number>`coalesce(${registryPreferences.noindex}, 0)`,
  };
}

type ListedRow = {
  number: string;
  name: string;
  country: string;
  credential: string;
  status: CredentialStatus;
  reasonClass: ReasonClass | null;
  issuedAt: number | null;
  expiresAt: number | null;
  participating: number;
  lastChangedAt: number;
  noindex: number;
};

function toEntry(row: ListedRow): RegistryEntry {
  const certifiedNow = isCurrentlyCertified(row.status);
  return {
    number: row.number,
    name: row.name,
    country: row.country ? countryName(row.country) : '',
    credential: row.credential,
    status: row.status,
    statusLabel: STATUS_LABELS[row.status],
    // A current credential has no reason to give ("maintenance due" is in its label, and its maintenance is
    // not failed, only not yet complete); the others give the kind of theirs.
    reasonClass: !isCurrentlyCertified(row.status) && row.reasonClass ? REASON_CLASS_LABELS[row.reasonClass] : null,
    certifiedNow,
    issuedAt: row.issuedAt,
    expiresAt: certifiedNow || row.status === 'expired' ? row.expiresAt : null,
    participatingInMaintenance: certifiedNow ? Boolean(row.participating) : null,
    lastChangedAt: row.lastChangedAt,
    noindex: Boolean(row.noindex),
  };
}

function listedQuery(db: Db) {
  return db
    .select(listedColumns())
    .from(credentials)
    .innerJoin(users, eq(users.id, credentials.userId))
    .innerJoin(credentialDefinitionVersions, eq(credentialDefinitionVersions.id, credentials.versionId))
    .leftJoin(registryPreferences, eq(registryPreferences.userId, credentials.userId));
}

const listed = () => and(isNull(users.erasedAt), ne(credentials.status, 'pending-sign-off'));

export interface RegistrySearch {
  /** Name (any part) or a credential number. */
  q: string;
  /** ISO 3166 code, or empty. */
  country: string;
}

/**
 * Holders matching the text and country. The text is only ever a bound parameter compared with instr()
 * (no LIKE or FTS syntax to escape), so quotes, operators and any Unicode are just characters. Nothing is
 * listed without a name part of at least 2 characters, a number or a country.
 */
export async function searchRegistry(db: Db, search: RegistrySearch): Promise<RegistryEntry[]> {
  const q = search.q.normalize('NFC').trim();
  const country = search.country.trim().toUpperCase();
  const byCountry = COUNTRY_CODES.includes(country) ? country : null;
  const number = normaliseCredentialNumber(q);
  if (CREDENTIAL_NUMBER_PATTERN.test(number)) {
    const rows = await listedQuery(db).where(and(listed(), eq(credentials.number, number)));
    return rows.map(toEntry);
  }
  if (q.length < 2 && !byCountry) return [];
  const rows = await listedQuery(db)
    .where(
      and(
        listed(),
        q.length >= 2
          ? sql`instr(lower(coalesce(${registryPreferences.displayName}, ${users.name})), lower(${q})) > 0`
          : undefined,
        byCountry ? eq(users.country, byCountry) : undefined,
      ),
    )
    .orderBy(sql`coalesce(${registryPreferences.displayName}, ${users.name})`)
    .limit(MAX_RESULTS);
  return rows.map(toEntry);
}

export type RegistryLookup =
  | { kind: 'credential'; entry: RegistryEntry }
  | { kind: 'level-certificate'; number: string }
  | { kind: 'unknown' };

/**
 * One listed credential by number, as listedQuery reads it, in one statement prepared once on the read
 * connection (readFirstRow): what insurers' systems call in bulk.
 */
const RECORD_SQL = `select c.number, coalesce(p.display_name, u.name), u.country, v.title, c.status, c.reason_class,
  c.issued_at, c.expires_at,
  (c.period_starts_at > strftime('%s', 'now') * 1000
    or exists (select 1 from cpd_activities a where a.user_id = c.user_id and a.status = 'approved'
    and c.period_starts_at is not null
    and a.activity_date >= strftime('%Y-%m-%d', c.period_starts_at / 1000, 'unixepoch'))),
  c.updated_at, coalesce(p.noindex, 0)
from credentials c
join users u on u.id = c.user_id
join credential_definition_versions v on v.id = c.version_id
left join registry_preferences p on p.user_id = c.user_id
where c.number = ? and u.erased_at is null and c.status <> 'pending-sign-off'`;

/** One number's record: a listed credential, a level certificate (verified at /verify), or nothing. */
export async function registryRecord(db: Db, typed: string): Promise<RegistryLookup> {
  const number = normaliseCredentialNumber(typed);
  if (CREDENTIAL_NUMBER_PATTERN.test(number)) {
    const row = await readFirstRow(db, RECORD_SQL, [number]);
    if (!row) return { kind: 'unknown' };
    const [
      num,
      name,
      country,
      credential,
      status,
      reasonClass,
      issuedAt,
      expiresAt,
      participating,
      lastChangedAt,
      noindex,
    ] = row as [
      string,
      string,
      string,
      string,
      CredentialStatus,
      ReasonClass | null,
      number | null,
      number | null,
      number,
      number,
      number,
    ];
    return {
      kind: 'credential',
      entry: toEntry({
        number: num,
        name,
        country,
        credential,
        status,
        reasonClass,
        issuedAt,
        expiresAt,
        participating,
        lastChangedAt,
        noindex,
      }),
    };
  }
  const certificate = normaliseCertificateNumber(typed);
  if (CERTIFICATE_NUMBER_PATTERN.test(certificate)) return { kind: 'level-certificate', number: certificate };
  return { kind: 'unknown' };
}

/** The country choices of the registry's search form, by English name: built once per process. */
export const REGISTRY_COUNTRY_OPTIONS: readonly { value: string; label: string }[] = COUNTRY_CODES.map((code) => ({
  value: code,
  label: countryName(code),
})).sort((a, b) => a.label.localeCompare(b.label, 'en'));
