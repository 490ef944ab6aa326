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

/** 12 URL-safe characters (72 random bits): short enough to read out on the phone, unique in practice. */
export function newRequestId(): string {
  return randomBytes(9).toString('base64url');
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
  write: (text: string) => void = (text) => process.stdout.write(text),
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
