import { defineMiddleware, sequence } from 'astro:middleware';
import { sessionCookieName, validateSessionToken } from '#src/server/auth/session.ts';
import { getDb } from '#src/server/db.ts';
import { getEnv } from '#src/server/env.ts';
import { formBodyProblem, isPagePost } from '#src/server/http/form-body.ts';
import { observeRequest } from '#src/server/http/request-log.ts';
import { maxBodyBytesFor } from '#src/server/http/security-headers.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function plain(status: number, message: string): Response {
  return new Response(message, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
}

/**
 * POST endpoints that read and change nothing, for other sites' software: OAI-PMH harvesters may send
 * their requests as form posts (OAI-PMH 2.0, 3.1.1.2, which repositories must accept) from anywhere.
 */
const STATELESS_POST_PATHS = new Set(['/oai']);

/** True when the request's Origin is this site (Astro's checkOrigin covers only form posts; this covers all). */
function isSameOrigin(request: Request, url: URL): boolean {
  const origin = request.headers.get('origin');
  if (!origin) return false;
  return origin === url.origin || origin === new URL(getEnv().SITE_URL).origin;
}

const guardRequest = defineMiddleware(async (context, next) => {
  context.locals.user = null;
  context.locals.session = null;
  if (context.isPrerendered) return next();

  const { request, url } = context;
  if (!SAFE_METHODS.has(request.method)) {
    const length = request.headers.get('content-length');
    if (length === null && request.headers.has('transfer-encoding')) {
      return plain(411, 'Send the request with a Content-Length header.');
    }
    const limitBytes = maxBodyBytesFor(url.pathname);
    if (length !== null && Number(length) > limitBytes) {
      return plain(413, `The request is too large (limit ${limitBytes / 1024} KiB).`);
    }
    if (!isSameOrigin(request, url) && !STATELESS_POST_PATHS.has(url.pathname)) {
      return plain(403, 'This request came from another site and was refused.');
    }
  }

  const cookieName = sessionCookieName(getEnv().NODE_ENV === 'production');
  const token = context.cookies.get(cookieName)?.value;
  if (token) {
    const { db } = await getDb();
    const validated = await validateSessionToken(db, token);
    if (validated) {
      context.locals.user = validated.user;
      context.locals.session = validated.session;
    } else {
      context.cookies.delete(cookieName, { path: '/' });
    }
  }
  if (isPagePost(request.method, url.pathname)) {
    const problem = await formBodyProblem(request);
    if (problem) {
      context.locals.formBodyProblem = problem;
      return next('/form-error');
    }
  }
  return next();
});

export const onRequest = sequence(defineMiddleware(observeRequest), guardRequest);
