import type { APIRoute } from 'astro';
import { getDb } from '#src/server/db.ts';
import { checkDatabase } from '#src/server/health.ts';

export const prerender = false;

/** For load balancers and uptime monitors: 200 when this process serves and its database answers, else 503. */
export const GET: APIRoute = async () => {
  const check = await checkDatabase(getDb);
  if (!check.ok) console.error('Health check: the database did not answer:', check.error);
  return Response.json(
    { status: check.ok ? 'ok' : 'unavailable' },
    { status: check.ok ? 200 : 503, headers: { 'Cache-Control': 'no-store' } },
  );
};

/** Monitors that only look at the status line (Node's server sends no body for HEAD). */
export const HEAD: APIRoute = GET;

/** Any other method is a mistake: say so instead of a 404. */
export const ALL: APIRoute = () =>
  new Response('Use GET for /api/health.', {
    status: 405,
    headers: { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' },
  });
