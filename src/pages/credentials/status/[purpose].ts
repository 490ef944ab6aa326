import type { APIRoute } from 'astro';
import { getDb } from '#src/server/db.ts';
import { getEnv } from '#src/server/env.ts';
import { STATUS_PURPOSES, type StatusPurpose, statusListCredential } from '#src/server/services/open-badges.ts';

export const prerender = false;

/**
 * The Bitstring Status List credentials every badge points at (revocation, suspension), signed as
 * VC-JOSE-COSE (application/vc+jwt). Built from the ledger on each request and revalidated on each use.
 */
export const GET: APIRoute = async ({ params }) => {
  const purpose = params.purpose as StatusPurpose;
  if (!STATUS_PURPOSES.includes(purpose))
    return new Response('No such status list.', {
      status: 404,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
    });
  const { db } = await getDb();
  const env = getEnv();
  const jws = await statusListCredential(db, { siteUrl: env.SITE_URL, keyDir: env.CREDENTIAL_KEY_DIR }, purpose);
  return new Response(jws, {
    headers: {
      'Content-Type': 'application/vc+jwt',
      'Cache-Control': 'public, no-cache',
      'Access-Control-Allow-Origin': '*',
    },
  });
};
