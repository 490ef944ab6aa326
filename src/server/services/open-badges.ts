/**
 * Each credential as a 1EdTech Open Badges 3.0 `OpenBadgeCredential` (W3C Verifiable Credentials Data
 * Model 2.0), secured with VC-JOSE-COSE: a compact JWS (EdDSA over Ed25519, RFC 8037) whose payload is the
 * credential itself, header `typ: vc+jwt`, `cty: vc` (VC-JOSE-COSE §3.1.1). Holders download it wrapped as
 * an `EnvelopedVerifiableCredential` (VC 2.0 §4.13: a `data:application/vc+jwt,<JWS>` id), which is JSON.
 *
 * Status: two W3C Bitstring Status List v1.0 credentials served by the portal (revocation and suspension),
 * each 131,072 bits (the spec's minimum, §6.1, for group privacy), GZIP-compressed and multibase base64url
 * encoded ("u" prefix, no padding; §2.2 encodedList); bit 0 is the most significant bit of the first byte
 * (§3.2 step 4). A credential carries one BitstringStatusListEntry per list, at its random position. The
 * lists are built from the ledger on each request, so a suspension shows at once.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { and, eq, inArray, isNull } from 'drizzle-orm';
import { CompactSign, compactVerify, decodeProtectedHeader, importJWK } from 'jose';
import type { Db } from '#db/client.ts';
import { credentialDefinitionVersions, credentials, registryPreferences, users } from '#db/schema/index.ts';
import { formatLongDate } from '#src/lib/dates.ts';
import { issuerDid, keyRing } from '../credential-keys.ts';
import { getEnv } from '../env.ts';
import { STATUS_LIST_SIZE } from './credentials.ts';
import type { ServiceDeps } from './deps.ts';

export const ASSOCIATION_NAME = 'International External Counterpulsation Association';
const VC_CONTEXT = 'https://www.w3.org/ns/credentials/v2';
/** Open Badges 3.0 JSON-LD context (OB 3.0 §B.1). */
const OB_CONTEXT = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';

export interface BadgeConfig {
  siteUrl: string;
  keyDir: string;
}

/** The badge settings for a request or job: the site and the key directory. */
export function badgeConfig(deps: ServiceDeps): BadgeConfig {
  return { siteUrl: deps.siteUrl, keyDir: deps.credentialKeyDir ?? getEnv().CREDENTIAL_KEY_DIR };
}

export type StatusPurpose = 'revocation' | 'suspension';
export const STATUS_PURPOSES: readonly StatusPurpose[] = ['revocation', 'suspension'];

export function statusListUrl(siteUrl: string, purpose: StatusPurpose): string {
  return `${siteUrl}/credentials/status/${purpose}`;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The unsigned OpenBadgeCredential for a credential number, or null when it cannot be issued as a badge. */
export async function badgeCredential(
  db: Db,
  siteUrl: string,
  number: string,
  now = Date.now(),
): Promise<Record<string, unknown> | null> {
  const [row] = await db
    .select({
      number: credentials.number,
      status: credentials.status,
      issuedAt: credentials.issuedAt,
      periodStartsAt: credentials.periodStartsAt,
      expiresAt: credentials.expiresAt,
      statusListIndex: credentials.statusListIndex,
      holderName: users.name,
      displayName: registryPreferences.displayName,
      versionId: credentialDefinitionVersions.id,
      definitionId: credentialDefinitionVersions.definitionId,
      version: credentialDefinitionVersions.version,
      title: credentialDefinitionVersions.title,
      description: credentialDefinitionVersions.description,
      validityMonths: credentialDefinitionVersions.validityMonths,
    })
    .from(credentials)
    .innerJoin(users, eq(users.id, credentials.userId))
    .innerJoin(credentialDefinitionVersions, eq(credentialDefinitionVersions.id, credentials.versionId))
    .leftJoin(registryPreferences, eq(registryPreferences.userId, credentials.userId))
    .where(and(eq(credentials.number, number), isNull(users.erasedAt)));
  if (!row || row.periodStartsAt === null || row.expiresAt === null || row.issuedAt === null) return null;
  if (row.status === 'revoked' || row.status === 'pending-sign-off') return null;
  const did = issuerDid(siteUrl);
  return {
    '@context': [VC_CONTEXT, OB_CONTEXT],
    id: `${siteUrl}/registry/${row.number}#period-${iso(row.periodStartsAt)}`,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: row.title,
    issuer: { id: did, type: ['Profile'], name: ASSOCIATION_NAME, url: siteUrl },
    // Renewed ahead, the period on record begins at the old expiry; the holder is certified without a break
    // from now on, so the badge is valid from its issue (a future validFrom would fail every verifier).
    validFrom: iso(Math.min(row.periodStartsAt, now)),
    validUntil: iso(row.expiresAt),
    awardedDate: iso(row.issuedAt),
    credentialSubject: {
      type: ['AchievementSubject'],
      identifier: [
        {
          type: 'IdentityObject',
          identityType: 'name',
          hashed: false,
          identityHash: row.displayName ?? row.holderName,
        },
        { type: 'IdentityObject', identityType: 'identifier', hashed: false, identityHash: row.number },
      ],
      achievement: {
        id: `${siteUrl}/registry/credentials/${row.definitionId}/v${row.version}`,
        type: ['Achievement'],
        achievementType: 'Certification',
        name: row.title,
        description: row.description || row.title,
        criteria: {
          narrative: `Awarded by IECPA on examination (theory and simulator assessment) and membership in good standing; valid ${row.validityMonths} months and maintained by CPD. Live status: ${siteUrl}/registry/${row.number}`,
        },
        creator: { id: did, type: ['Profile'], name: ASSOCIATION_NAME },
      },
    },
    credentialStatus: STATUS_PURPOSES.map((purpose) => ({
      id: `${statusListUrl(siteUrl, purpose)}#${row.statusListIndex}`,
      type: 'BitstringStatusListEntry',
      statusPurpose: purpose,
      statusListIndex: String(row.statusListIndex),
      statusListCredential: statusListUrl(siteUrl, purpose),
    })),
  };
}

/** Signs a credential as a compact JWS (VC-JOSE-COSE) with the association's current key. */
export async function signCredential(config: BadgeConfig, credential: Record<string, unknown>): Promise<string> {
  const ring = await keyRing(config.keyDir, config.siteUrl);
  return new CompactSign(new TextEncoder().encode(JSON.stringify(credential)))
    .setProtectedHeader({ alg: 'EdDSA', kid: ring.signing.kid, typ: 'vc+jwt', cty: 'vc' })
    .sign(ring.signing.privateKey);
}

/** VC 2.0 §4.13: the JOSE-secured credential as a JSON document. */
export function envelope(jws: string): Record<string, unknown> {
  return { '@context': VC_CONTEXT, id: `data:application/vc+jwt,${jws}`, type: 'EnvelopedVerifiableCredential' };
}

/** The holder's badge download (null when there is no issuable credential with that number). */
export async function issueBadge(
  db: Db,
  config: BadgeConfig,
  number: string,
  now = Date.now(),
): Promise<Record<string, unknown> | null> {
  const credential = await badgeCredential(db, config.siteUrl, number, now);
  return credential ? envelope(await signCredential(config, credential)) : null;
}

/** The bitstring of one status list: the positions of every revoked (or suspended) credential set. */
export async function statusBits(db: Db, purpose: StatusPurpose): Promise<Uint8Array> {
  const bits = new Uint8Array(STATUS_LIST_SIZE / 8);
  const rows = await db
    .select({ index: credentials.statusListIndex })
    .from(credentials)
    .where(inArray(credentials.status, [purpose === 'revocation' ? 'revoked' : 'suspended']));
  for (const { index } of rows) bits[index >> 3] = (bits[index >> 3] as number) | (0x80 >> (index & 7));
  return bits;
}

export function encodeList(bits: Uint8Array): string {
  return `u${gzipSync(bits).toString('base64url')}`;
}

export function decodeList(encoded: string): Uint8Array {
  if (!encoded.startsWith('u')) throw new Error('encodedList is not multibase base64url');
  return new Uint8Array(gunzipSync(Buffer.from(encoded.slice(1), 'base64url'), { maxOutputLength: 16 * 1024 * 1024 }));
}

export function bitAt(bits: Uint8Array, index: number): boolean {
  return ((bits[index >> 3] ?? 0) & (0x80 >> (index & 7))) !== 0;
}

/** The signed BitstringStatusListCredential for one purpose (served at statusListUrl). */
export async function statusListCredential(db: Db, config: BadgeConfig, purpose: StatusPurpose, now = Date.now()) {
  const url = statusListUrl(config.siteUrl, purpose);
  const credential = {
    '@context': [VC_CONTEXT],
    id: url,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer: issuerDid(config.siteUrl),
    validFrom: iso(now),
    credentialSubject: {
      id: `${url}#list`,
      type: 'BitstringStatusList',
      statusPurpose: purpose,
      encodedList: encodeList(await statusBits(db, purpose)),
    },
  };
  return signCredential(config, credential);
}

// ---------------------------------------------------------------------------------------------------------
// Verification of a presented badge

export type VerificationOutcome = 'valid' | 'tampered' | 'revoked' | 'suspended' | 'expired' | 'not-yet-valid';

export interface Verification {
  outcome: VerificationOutcome;
  /** Why, in a sentence the person reads. */
  why: string;
  /** What the badge says (only once its signature verified). */
  credential?: {
    number: string | null;
    holder: string | null;
    achievement: string | null;
    validFrom: string | null;
    validUntil: string | null;
  };
}

/** Largest text accepted for verification (a badge is about 2 kB). */
export const MAX_PRESENTED_BYTES = 64 * 1024;

/** The compact JWS inside what was pasted: an envelope's data: URL, or the JWS itself. */
export function extractJws(text: string): string | null {
  const trimmed = text.trim();
  if (/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(trimmed)) return trimmed;
  try {
    const parsed = JSON.parse(trimmed) as unknown;
    const id = (parsed as { id?: unknown })?.id;
    if (typeof id === 'string' && id.startsWith('data:application/vc+jwt,')) {
      const jws = id.slice('data:application/vc+jwt,'.length);
      return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(jws) ? jws : null;
    }
  } catch {
    return null;
  }
  return null;
}

const fail = (why: string): Verification => ({ outcome: 'tampered', why });

/**
 * Checks a presented badge: that it is a JWS signed by a published key of this association over exactly
 * these bytes, that it is an OpenBadgeCredential of ours, within its validity, and not set in either status
 * list now. Anything altered, forged or unreadable is "tampered", with the reason.
 */
export async function verifyPresented(
  db: Db,
  config: BadgeConfig,
  text: string,
  now = Date.now(),
): Promise<Verification> {
  if (new TextEncoder().encode(text).length > MAX_PRESENTED_BYTES)
    return fail('This is far larger than any IECPA badge (at most 64 kB is read).');
  const jws = extractJws(text);
  if (!jws)
    return fail('This is not an IECPA Open Badge: paste the whole JSON file you downloaded (or its JWS), unchanged.');
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(jws);
  } catch {
    return fail('The signature header cannot be read: the badge has been altered.');
  }
  const ring = await keyRing(config.keyDir, config.siteUrl);
  const key = ring.published.find((k) => k.kid === header.kid);
  if (!key || header.alg !== 'EdDSA')
    return fail('It is not signed with a key of the IECPA: it was altered or issued by someone else.');
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(jws, await importJWK({ ...key.publicJwk, alg: 'EdDSA' }, 'EdDSA'), {
      algorithms: ['EdDSA'],
    }));
  } catch {
    return fail('The signature does not match the content: the badge has been altered since IECPA signed it.');
  }
  let credential: Record<string, unknown>;
  try {
    credential = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
  } catch {
    return fail('The signed content is not a credential.');
  }
  const types = Array.isArray(credential.type) ? credential.type : [];
  const issuer = (credential.issuer as { id?: unknown } | undefined)?.id;
  if (!types.includes('OpenBadgeCredential') || issuer !== issuerDid(config.siteUrl))
    return fail('The signed content is not an IECPA Open Badge.');
  const subject = credential.credentialSubject as {
    identifier?: { identityType?: string; identityHash?: string }[];
    achievement?: { name?: string };
  };
  const summary = {
    number: subject?.identifier?.find((i) => i.identityType === 'identifier')?.identityHash ?? null,
    holder: subject?.identifier?.find((i) => i.identityType === 'name')?.identityHash ?? null,
    achievement: subject?.achievement?.name ?? null,
    validFrom: typeof credential.validFrom === 'string' ? credential.validFrom : null,
    validUntil: typeof credential.validUntil === 'string' ? credential.validUntil : null,
  };
  const entries = (Array.isArray(credential.credentialStatus) ? credential.credentialStatus : []) as {
    statusPurpose?: string;
    statusListIndex?: string;
  }[];
  for (const purpose of STATUS_PURPOSES) {
    const entry = entries.find((e) => e.statusPurpose === purpose);
    const index = Number(entry?.statusListIndex);
    if (!Number.isInteger(index) || index < 0 || index >= STATUS_LIST_SIZE)
      return fail('The status entries are missing or malformed.');
    if (bitAt(await statusBits(db, purpose), index))
      return {
        outcome: purpose === 'revocation' ? 'revoked' : 'suspended',
        why:
          purpose === 'revocation'
            ? 'The signature is genuine, but the IECPA has revoked this credential.'
            : 'The signature is genuine, but the IECPA has suspended this credential. It is not valid while suspended.',
        credential: summary,
      };
  }
  const until = summary.validUntil ? Date.parse(summary.validUntil) : Number.NaN;
  const from = summary.validFrom ? Date.parse(summary.validFrom) : Number.NaN;
  if (Number.isNaN(until) || Number.isNaN(from)) return fail('The validity dates are missing.');
  if (now >= until)
    return {
      outcome: 'expired',
      why: `The signature is genuine, but this badge was valid until ${formatLongDate(until)}. A recertified holder has a newer badge; the registry shows the current status.`,
      credential: summary,
    };
  // Genuine, not tampered: a badge issued for a period that begins later (a renewal ahead of the expiry).
  if (now < from)
    return {
      outcome: 'not-yet-valid',
      why: `The signature is genuine, but this badge is valid only from ${formatLongDate(from)}. Until then the holder's current badge, or the registry, shows their status.`,
      credential: summary,
    };
  return {
    outcome: 'valid',
    why: `Signed by the IECPA and in force until ${formatLongDate(until)}; neither revoked nor suspended.`,
    credential: summary,
  };
}
