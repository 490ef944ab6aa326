import type { APIRoute } from 'astro';
import { didDocument, keyRing } from '#src/server/credential-keys.ts';
import { getEnv } from '#src/server/env.ts';

export const prerender = false;

/** The issuer's did:web document: every published signing key (README, "Credential signing keys"). */
export const GET: APIRoute = async () => {
  const env = getEnv();
  const ring = await keyRing(env.CREDENTIAL_KEY_DIR, env.SITE_URL);
  return new Response(JSON.stringify(didDocument(env.SITE_URL, ring.published), null, 2), {
    headers: {
      'Content-Type': 'application/did+json',
      'Cache-Control': 'public, max-age=300',
      'Access-Control-Allow-Origin': '*',
    },
  });
};
