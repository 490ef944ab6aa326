/**
 * What the public registry's pages share: a per-address rate limit, applied by the middleware.
 *
 * The limit is kept in this process's memory, not in the database like the sign-in limits: the registry is
 * read in bulk (insurers' systems), and a database write per lookup would queue every lookup behind the one
 * writer (README, "One writer at a time"). With several app servers each counts on its own, so the
 * effective limit is REGISTRY_RATE_LIMIT times the number of processes. Fixed one-minute windows per
 * address (IPv6 by /64, as rateLimitAddress does); the table is swept when it grows.
 */
import { rateLimitAddress } from '../auth/rate-limit.ts';
import { getEnv } from '../env.ts';

const WINDOW_MS = 60_000;
const MAX_TRACKED = 50_000;
const windows = new Map<string, { start: number; count: number }>();

/** True when this address may make one more registry request now (and counts it). */
export function allowRegistryRequest(
  ipAddress: string,
  now = Date.now(),
  limit = getEnv().REGISTRY_RATE_LIMIT,
): boolean {
  const key = rateLimitAddress(ipAddress);
  const start = now - (now % WINDOW_MS);
  const entry = windows.get(key);
  if (!entry || entry.start !== start) {
    if (windows.size >= MAX_TRACKED) for (const [k, v] of windows) if (v.start !== start) windows.delete(k);
    windows.set(key, { start, count: 1 });
    return true;
  }
  entry.count++;
  return entry.count <= limit;
}

/** The answer to a client over the limit: a short text with when to come back. */
export function tooManyRegistryRequests(now = Date.now()): Response {
  const retry = Math.ceil((WINDOW_MS - (now % WINDOW_MS)) / 1000);
  return new Response(
    'Too many registry requests from your address in the last minute. Wait a minute and try again; for bulk checks use /registry/<number>.json.',
    { status: 429, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': String(retry) } },
  );
}

/** The registry's public addresses: its pages, the verification form and the JSON records. */
export function isRegistryPath(pathname: string): boolean {
  return pathname === '/registry' || pathname.startsWith('/registry/');
}

/**
 * Middleware step: counts every request to the registry against the sender's limit before anything else
 * answers it (a page, or a stored copy from the page cache), so a copy served from memory counts too.
 */
export function limitRegistryRequests(clientAddress: string, pathname: string): Response | null {
  if (!isRegistryPath(pathname)) return null;
  return allowRegistryRequest(clientAddress) ? null : tooManyRegistryRequests();
}
