/**
 * One structured log line per request (JSON on stdout: time, request id, method, route, status, duration,
 * user id or null) and the request's metrics. The route is Astro's route pattern (`/members/[id]`), never
 * the URL: paths and query strings can carry tokens, e-mail addresses and search terms. The request id is
 * sent back as `X-Request-Id` and shown on the error pages, so a user can quote it and the log line can be
 * found.
 */
import { randomBytes } from 'node:crypto';
import type { APIContext, MiddlewareNext } from 'astro';
import { recordRequest } from './metrics.ts';

export interface RequestLogLine {
  time: string;
  requestId: string;
  method: string;
  route: string;
  status: number;
  durationMs: number;
  userId: string | null;
}

const ID_BYTES = 9;
/** Random bytes drawn for 256 ids at once: one call into the system's generator per 256 requests, not each. */
let idPool = Buffer.alloc(0);
let idOffset = 0;

/** 12 URL-safe characters (72 random bits): short enough to read out on the phone, unique in practice. */
export function newRequestId(): string {
  if (idOffset + ID_BYTES > idPool.length) {
    idPool = randomBytes(ID_BYTES * 256);
    idOffset = 0;
  }
  idOffset += ID_BYTES;
  return idPool.toString('base64url', idOffset - ID_BYTES, idOffset);
}

/**
 * Log lines of one turn of the event loop go out in one write: a write per request to stdout was a
 * system call per request (about 4 % of the server's CPU under load, `npm run bench:http -- --cpu-prof`).
 */
let pendingLines = '';
function writeStdoutSoon(text: string): void {
  if (pendingLines === '') {
    setImmediate(() => {
      const lines = pendingLines;
      pendingLines = '';
      process.stdout.write(lines);
    });
  }
  pendingLines += text;
}

export function formatLogLine(line: RequestLogLine): string {
  return JSON.stringify(line);
}

function withRequestId(response: Response, requestId: string): Response {
  try {
    response.headers.set('X-Request-Id', requestId);
    return response;
  } catch {
    // Headers of Response.redirect() and some framework responses are immutable: copy the response.
    const copy = new Response(response.body, response);
    copy.headers.set('X-Request-Id', requestId);
    return copy;
  }
}

/** Middleware step: gives the request an id, then logs and counts it once it is answered. */
export async function observeRequest(
  context: APIContext,
  next: MiddlewareNext,
  write: (text: string) => void = writeStdoutSoon,
): Promise<Response> {
  if (context.isPrerendered) return next();
  const requestId = newRequestId();
  context.locals.requestId = requestId;
  const startedAt = performance.now();
  let status = 500;
  try {
    const response = await next();
    status = response.status;
    return withRequestId(response, requestId);
  } finally {
    const durationMs = Math.round((performance.now() - startedAt) * 1000) / 1000;
    const route = context.routePattern || 'unmatched';
    recordRequest(context.request.method, route, status, durationMs);
    write(
      `${formatLogLine({
        time: new Date().toISOString(),
        requestId,
        method: context.request.method,
        route,
        status,
        durationMs,
        userId: context.locals.user?.id ?? null,
      })}\n`,
    );
  }
}
