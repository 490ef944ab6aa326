import type { APIRoute } from 'astro';
import { getDb } from '#src/server/db.ts';
import { getEnv } from '#src/server/env.ts';
import { registryRecord } from '#src/server/services/credential-registry.ts';
import { registryEtag, registryJson } from '#src/server/services/registry-json.ts';

export const prerender = false;

/**
 * GET /registry/<number>.json: the live record of a credential number (README, "Registry JSON"). 200 with
 * `found: true`, or 404 with `found: false`; revalidated on each use (ETag), so a cache never serves a
 * status that has changed.
 */
export const GET: APIRoute = async (context) => {
  const typed = (context.params.number ?? '').slice(0, 64);
  const lookup = await registryRecord((await getDb()).db, typed);
  const etag = registryEtag(lookup);
  const headers: Record<string, string> = {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'public, no-cache',
    ETag: etag,
    'Access-Control-Allow-Origin': '*',
  };
  if (lookup.kind === 'credential' && lookup.entry.noindex) headers['X-Robots-Tag'] = 'noindex';
  if (context.request.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers });
  const body = registryJson(typed, lookup, getEnv().SITE_URL);
  return new Response(JSON.stringify(body), { status: body.found ? 200 : 404, headers });
};
