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

/** Above this a page is streamed as rendered (none of ours comes near it; a guard, not a limit). */
const WHOLE_BODY_MAX_BYTES = 512 * 1024;

/**
 * A rendered page's body as one piece. Astro streams a page in many small chunks, each its own socket
 * write; the pages are small, so sending them in one write costs less than streaming them (the writes were
 * about 13 % of the server's CPU under load). Other responses (files, redirects, JSON) pass unchanged.
 */
async function wholeHtmlBody(response: Response): Promise<Response> {
  if (!response.body || !response.headers.get('content-type')?.startsWith('text/html')) return response;
  const length = Number(response.headers.get('content-length') ?? '0');
  if (length > WHOLE_BODY_MAX_BYTES) return response;
  const body = await response.arrayBuffer();
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
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
    return withRequestId(await wholeHtmlBody(response), requestId);
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
