import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ed25519 } from '@noble/curves/ed25519.js';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { cycleYears } from '#src/lib/credential-rules.ts';
import { DAY_MS } from '#src/lib/dates.ts';
import { didDocument, KEY_FILE, keyRing, rotateSigningKey } from '#src/server/credential-keys.ts';
import { runCredentialJob } from '#src/server/services/credential-job.ts';
import { STATUS_LIST_SIZE } from '#src/server/services/credentials.ts';
import {
  type BadgeConfig,
  badgeConfig,
  extractJws,
  issueBadge,
  statusListCredential,
  verifyPresented,
} from '#src/server/services/open-badges.ts';
import {
  type CredentialFixture,
  cpd,
  credentialFixture,
  credentialOf,
  DEFINITION,
  examAttempt,
  qualified,
} from '#test/helpers/credentials.ts';
import { useTestDb } from '#test/helpers/db.ts';
import { anonymousCaller, callerFor, type MadeUser, makeUser, testDeps } from '#test/helpers/factories.ts';

const handle = useTestDb();
const keyDir = mkdtempSync(join(tmpdir(), 'iecpa-keys-'));
const deps = { ...testDeps(), credentialKeyDir: keyDir };
const config: BadgeConfig = badgeConfig(deps);
let admin: MadeUser;
let fixture: CredentialFixture;

afterAll(() => rmSync(keyDir, { recursive: true, force: true }));

beforeAll(async () => {
  admin = await makeUser(handle.db, { roles: ['member', 'admin'], totp: true });
  fixture = await credentialFixture(handle.db, admin.id);
  await (await callerFor(handle.db, admin)).caller.credentials.saveDefinition(DEFINITION);
});

/** The holder of a freshly awarded credential and its badge (the envelope JSON as downloaded). */
async function awarded(name: string) {
  const holder = await qualified(handle.db, fixture, name);
  await runCredentialJob(handle.db, deps, Date.now());
  const credential = await credentialOf(handle.db, holder.id);
  const badge = await issueBadge(handle.db, config, credential.number);
  if (!badge) throw new Error('no badge');
  return { holder, credential, badge, text: JSON.stringify(badge) };
}

const b64u = (s: string) => new Uint8Array(Buffer.from(s, 'base64url'));

/**
 * An independent check of the signature: @noble/curves' Ed25519 over the JWS signing input (RFC 7515 §5.2:
 * ASCII(BASE64URL(header) || '.' || BASE64URL(payload))), with the public key from the issuer's DID document.
 */
async function nobleVerifies(jws: string): Promise<boolean> {
  const [header, payload, signature] = jws.split('.') as [string, string, string];
  const kid = (JSON.parse(Buffer.from(header, 'base64url').toString()) as { kid: string }).kid;
  const ring = await keyRing(keyDir, deps.siteUrl);
  const doc = didDocument(deps.siteUrl, ring.published) as {
    verificationMethod: { id: string; publicKeyJwk: { x: string } }[];
  };
  const method = doc.verificationMethod.find((m) => m.id === kid);
  if (!method) return false;
  try {
    return ed25519.verify(
      b64u(signature),
      new TextEncoder().encode(`${header}.${payload}`),
      b64u(method.publicKeyJwk.x),
    );
  } catch {
    return false;
  }
}

test('the key is made at first use, owner-only, outside the web root; the badge is an OpenBadgeCredential', async () => {
  const { badge, credential } = await awarded('Badge Holder');
  expect(statSync(join(keyDir, KEY_FILE)).mode & 0o777).toBe(0o600);
  expect(badge).toMatchObject({
    type: 'EnvelopedVerifiableCredential',
    '@context': 'https://www.w3.org/ns/credentials/v2',
  });
  const jws = extractJws(JSON.stringify(badge)) as string;
  const [header, payload] = jws.split('.') as [string, string];
  expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toMatchObject({
    alg: 'EdDSA',
    typ: 'vc+jwt',
    cty: 'vc',
    kid: expect.stringMatching(/^did:web:portal\.test#/),
  });
  const vc = JSON.parse(Buffer.from(payload, 'base64url').toString());
  expect(vc).toMatchObject({
    '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    issuer: { id: 'did:web:portal.test', type: ['Profile'] },
    validFrom: expect.any(String),
    validUntil: new Date(credential.expiresAt as number).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    credentialSubject: {
      type: ['AchievementSubject'],
      achievement: { type: ['Achievement'], name: DEFINITION.title, criteria: { narrative: expect.any(String) } },
    },
  });
  expect(vc.credentialStatus).toEqual(
    ['revocation', 'suspension'].map((purpose) => ({
      id: `http://portal.test/credentials/status/${purpose}#${credential.statusListIndex}`,
      type: 'BitstringStatusListEntry',
      statusPurpose: purpose,
      statusListIndex: String(credential.statusListIndex),
      statusListCredential: `http://portal.test/credentials/status/${purpose}`,
    })),
  );
});

test('an independent Ed25519 verifier accepts the badge; one changed byte anywhere fails both verifiers', async () => {
  const { text, badge } = await awarded('Byte Flipper');
  const jws = extractJws(text) as string;
  expect(await nobleVerifies(jws)).toBe(true);
  expect(await verifyPresented(handle.db, config, text)).toMatchObject({ outcome: 'valid' });

  // Change one byte of the signed content: the name inside the payload.
  const [header, payload, signature] = jws.split('.') as [string, string, string];
  const bytes = Buffer.from(payload, 'base64url');
  const at = bytes.indexOf('Byte Flipper');
  bytes[at] = 'C'.charCodeAt(0);
  const forged = `${header}.${bytes.toString('base64url')}.${signature}`;
  expect(await nobleVerifies(forged)).toBe(false);
  const verdict = await verifyPresented(
    handle.db,
    config,
    JSON.stringify({ ...badge, id: `data:application/vc+jwt,${forged}` }),
  );
  expect(verdict).toMatchObject({ outcome: 'tampered', why: expect.stringContaining('altered') });
  expect(verdict.credential).toBeUndefined();

  // One byte of the signature, and one character of the JWS text at every tenth position.
  const sig = Buffer.from(signature, 'base64url');
  sig[0] = (sig[0] as number) ^ 1;
  const badSig = `${header}.${payload}.${sig.toString('base64url')}`;
  expect(await nobleVerifies(badSig)).toBe(false);
  expect((await verifyPresented(handle.db, config, badSig)).outcome).toBe('tampered');
  for (let i = 0; i < jws.length; i += 10) {
    if (jws[i] === '.') continue;
    const flipped = jws.slice(0, i) + (jws[i] === 'A' ? 'B' : 'A') + jws.slice(i + 1);
    expect((await verifyPresented(handle.db, config, flipped)).outcome, `position ${i}`).toBe('tampered');
  }
});

test('a badge issued before a suspension verifies as suspended, then valid again; revoked is final', async () => {
  const { text, credential } = await awarded('Status Holder');
  const adminCaller = (await callerFor(handle.db, admin, { deps })).caller;
  await adminCaller.credentials.suspend({
    credentialId: credential.id,
    reasonClass: 'conduct',
    reason: 'Under investigation',
  });
  expect(await verifyPresented(handle.db, config, text)).toMatchObject({
    outcome: 'suspended',
    credential: { number: credential.number, holder: 'Status Holder' },
  });

  // The status list credential, read independently: signed, gzip + base64url, 131,072 bits, bit set MSB-first.
  const listJws = await statusListCredential(handle.db, config, 'suspension');
  expect(await nobleVerifies(listJws)).toBe(true);
  const list = JSON.parse(Buffer.from(listJws.split('.')[1] as string, 'base64url').toString());
  expect(list.type).toEqual(['VerifiableCredential', 'BitstringStatusListCredential']);
  expect(list.credentialSubject).toMatchObject({ type: 'BitstringStatusList', statusPurpose: 'suspension' });
  const bits = gunzipSync(Buffer.from(list.credentialSubject.encodedList.slice(1), 'base64url'));
  expect(list.credentialSubject.encodedList[0]).toBe('u');
  expect(bits.length * 8).toBe(STATUS_LIST_SIZE);
  const index = credential.statusListIndex;
  expect(((bits[index >> 3] as number) >> (7 - (index & 7))) & 1).toBe(1);

  await adminCaller.credentials.reinstate({ credentialId: credential.id, reason: 'Investigation closed' });
  expect((await verifyPresented(handle.db, config, text)).outcome).toBe('valid');
  await adminCaller.credentials.revoke({
    credentialId: credential.id,
    reasonClass: 'conduct',
    reason: 'Board decision',
  });
  expect(await verifyPresented(handle.db, config, text)).toMatchObject({ outcome: 'revoked' });
  expect(await issueBadge(handle.db, config, credential.number)).toBeNull();
});

test('expired badges say so; forged, foreign and junk input never verify, with a reason', async () => {
  const { text, credential } = await awarded('Time Traveller');
  expect(await verifyPresented(handle.db, config, text, (credential.expiresAt as number) + 1)).toMatchObject({
    outcome: 'expired',
    why: expect.stringContaining('valid until'),
  });

  // A badge signed by another key (someone else's portal) with the same content.
  const otherDir = mkdtempSync(join(tmpdir(), 'iecpa-other-'));
  try {
    const other = await issueBadge(handle.db, { ...config, keyDir: otherDir }, credential.number);
    expect(await verifyPresented(handle.db, config, JSON.stringify(other))).toMatchObject({
      outcome: 'tampered',
      why: expect.stringContaining('not signed with a key of the IECPA'),
    });
  } finally {
    rmSync(otherDir, { recursive: true, force: true });
  }
  for (const junk of [
    '',
    '{}',
    'null',
    '[',
    'a.b.c',
    '{"id":"data:application/vc+jwt,x.y.z"}',
    '😀'.repeat(1000),
    'x'.repeat(70_000),
  ])
    expect((await verifyPresented(handle.db, config, junk)).outcome, junk.slice(0, 20)).toBe('tampered');
  const refused = await anonymousCaller(handle.db, deps)
    .credentials.verifyBadge({ text: 'x'.repeat(70_000) })
    .catch((e: { code?: string }) => e.code);
  expect(refused).toBe('BAD_REQUEST');
});

test('after a key rotation old badges still verify and new ones are signed with the new key', async () => {
  const before = await awarded('Rotation One');
  const thumbprint = await rotateSigningKey(keyDir);
  const stored = JSON.parse(readFileSync(join(keyDir, KEY_FILE), 'utf8')) as { keys: unknown[] };
  expect(stored.keys).toHaveLength(2);
  expect((await verifyPresented(handle.db, config, before.text)).outcome).toBe('valid');
  const after = await awarded('Rotation Two');
  const kid = JSON.parse(
    Buffer.from((extractJws(after.text) as string).split('.')[0] as string, 'base64url').toString(),
  ).kid;
  expect(kid).toBe(`did:web:portal.test#${thumbprint}`);
  expect((await verifyPresented(handle.db, config, after.text)).outcome).toBe('valid');
  expect(await nobleVerifies(extractJws(before.text) as string)).toBe(true);
});

test('a holder renewed ahead of the expiry downloads a badge that verifies now, valid to the new expiry', async () => {
  const { holder, credential } = await awarded('Early Renewer');
  if (!credential.periodStartsAt || !credential.expiresAt) throw new Error('no period');
  for (const year of cycleYears(credential.periodStartsAt, credential.expiresAt)) {
    await cpd(handle.db, holder.id, year.from + 10 * DAY_MS, 10);
    await examAttempt(handle.db, holder.id, fixture.checkExamId, year.from + 20 * DAY_MS, false);
  }
  // Renewed 200 days before the expiry: the period on record now begins at the old expiry.
  const renewedAt = credential.expiresAt - 200 * DAY_MS;
  expect((await runCredentialJob(handle.db, deps, renewedAt)).recertified).toBeGreaterThanOrEqual(1);
  const renewed = await credentialOf(handle.db, holder.id);
  expect(renewed.periodStartsAt).toBe(credential.expiresAt);
  const badge = await issueBadge(handle.db, config, credential.number, renewedAt + DAY_MS);
  const verdict = await verifyPresented(handle.db, config, JSON.stringify(badge), renewedAt + 2 * DAY_MS);
  expect(verdict).toMatchObject({
    outcome: 'valid',
    credential: { validUntil: new Date(renewed.expiresAt as number).toISOString().replace(/\.\d{3}Z$/, 'Z') },
  });
});

test('a genuine badge presented before its period begins is "not valid yet", not "tampered"', async () => {
  const { text } = await awarded('Early Presenter');
  const validFrom = Date.parse((await verifyPresented(handle.db, config, text)).credential?.validFrom ?? '');
  expect(Number.isFinite(validFrom)).toBe(true);
  const verdict = await verifyPresented(handle.db, config, text, validFrom - DAY_MS);
  expect(verdict.outcome).toBe('not-yet-valid');
  expect(verdict.why).toContain('The signature is genuine');
  expect(verdict.credential?.holder).toBe('Early Presenter');
  expect((await verifyPresented(handle.db, config, text, validFrom + DAY_MS)).outcome).toBe('valid');
});
