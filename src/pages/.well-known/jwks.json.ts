import type { APIRoute } from 'astro';
import { keyRing } from '#src/server/credential-keys.ts';
import { getEnv } from '#src/server/env.ts';

export const prerender = false;

/** The same public keys as a JSON Web Key Set (RFC 7517 §5), `kid` as in the badges' JWS header. */
export const GET: APIRoute = async () => {
  const env = getEnv();
  const ring = await keyRing(env.CREDENTIAL_KEY_DIR, env.SITE_URL);
  const keys = ring.published.map((k) => ({ ...k.publicJwk, kid: k.kid, alg: 'EdDSA', use: 'sig' }));
  return new Response(JSON.stringify({ keys }, null, 2), {
    headers: {
      'Content-Type': 'application/jwk-set+json',
      'Cache-Control': 'public, max-age=300',
      'Access-Control-Allow-Origin': '*',
    },
  });
};
