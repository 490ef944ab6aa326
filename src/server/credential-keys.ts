/**
 * The association's credential-signing keys (Ed25519), in one JSON file under CREDENTIAL_KEY_DIR: made at
 * first start, readable only by the server's user, never in the web root or the database. The newest key
 * signs; every key in the file is published (the issuer's did:web document and the JWKS), so badges signed
 * before a rotation keep verifying. Rotation (README, "Credential signing keys"): `rotateSigningKey` adds a
 * new current key; deleting a key from the file stops everything it signed from verifying (a compromised
 * key), after which holders download their badge again.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';

export const KEY_FILE = 'credential-signing-keys.json';

interface StoredKey {
  /** RFC 7638 thumbprint of the public key: the fragment of its verification method id. */
  thumbprint: string;
  publicJwk: JWK;
  privateJwk: JWK;
  createdAt: string;
}

export interface SigningKey {
  /** `<did>#<thumbprint>`: the JWS `kid`. */
  kid: string;
  privateKey: CryptoKey;
}

export interface PublishedKey {
  kid: string;
  thumbprint: string;
  publicJwk: JWK;
}

/** did:web for the site's origin (did:web spec §3.1: the port's colon percent-encoded). */
export function issuerDid(siteUrl: string): string {
  const url = new URL(siteUrl);
  return `did:web:${encodeURIComponent(url.host)}`;
}

async function newStoredKey(): Promise<StoredKey> {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const publicJwk = await exportJWK(publicKey);
  return {
    thumbprint: await calculateJwkThumbprint(publicJwk),
    publicJwk,
    privateJwk: await exportJWK(privateKey),
    createdAt: new Date().toISOString(),
  };
}

function readKeys(dir: string): StoredKey[] | null {
  try {
    const parsed = JSON.parse(readFileSync(join(dir, KEY_FILE), 'utf8')) as { keys?: StoredKey[] };
    return Array.isArray(parsed.keys) && parsed.keys.length > 0 ? parsed.keys : null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Writes the file atomically (temp file, then rename), owner-only. */
function writeKeys(dir: string, keys: StoredKey[]): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temp = join(dir, `${KEY_FILE}.${process.pid}.tmp`);
  writeFileSync(temp, `${JSON.stringify({ keys }, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, join(dir, KEY_FILE));
}

/** The keys, creating the file with a first key if there is none. Two processes at once: one file wins. */
async function loadOrCreate(dir: string): Promise<StoredKey[]> {
  const existing = readKeys(dir);
  if (existing) return existing;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const first = await newStoredKey();
  try {
    writeFileSync(join(dir, KEY_FILE), `${JSON.stringify({ keys: [first] }, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return readKeys(dir) ?? [first];
}

export interface KeyRing {
  signing: SigningKey;
  published: PublishedKey[];
}

const rings = new Map<string, Promise<KeyRing>>();

/** The signing key and every published key for a key directory and site (loaded once per process). */
export function keyRing(dir: string, siteUrl: string): Promise<KeyRing> {
  const cacheKey = `${dir}\n${siteUrl}`;
  let ring = rings.get(cacheKey);
  if (!ring) {
    ring = (async () => {
      const keys = await loadOrCreate(dir);
      const did = issuerDid(siteUrl);
      const current = keys[keys.length - 1] as StoredKey;
      return {
        signing: {
          kid: `${did}#${current.thumbprint}`,
          privateKey: (await importJWK({ ...current.privateJwk, alg: 'EdDSA' }, 'EdDSA')) as CryptoKey,
        },
        published: keys.map((k) => ({
          kid: `${did}#${k.thumbprint}`,
          thumbprint: k.thumbprint,
          publicJwk: k.publicJwk,
        })),
      };
    })();
    ring.catch(() => rings.delete(cacheKey));
    rings.set(cacheKey, ring);
  }
  return ring;
}

/** Adds a new current key (the old ones stay published); the running server picks it up on restart. */
export async function rotateSigningKey(dir: string): Promise<string> {
  const keys = (await loadOrCreate(dir)).slice();
  const next = await newStoredKey();
  keys.push(next);
  writeKeys(dir, keys);
  for (const key of rings.keys()) if (key.startsWith(`${dir}\n`)) rings.delete(key);
  return next.thumbprint;
}

/** The issuer's DID document (did:web §3.2: served at /.well-known/did.json). */
export function didDocument(siteUrl: string, published: PublishedKey[]): Record<string, unknown> {
  const did = issuerDid(siteUrl);
  return {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/suites/jws-2020/v1'],
    id: did,
    verificationMethod: published.map((k) => ({
      id: k.kid,
      type: 'JsonWebKey2020',
      controller: did,
      publicKeyJwk: k.publicJwk,
    })),
    assertionMethod: published.map((k) => k.kid),
  };
}
