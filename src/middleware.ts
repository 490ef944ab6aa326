import { defineMiddleware, sequence } from 'astro:middleware';
import type { APIContext } from 'astro';
import { dataGeneration } from '#db/client.ts';
import { sessionCookieName, validateSessionToken } from '#src/server/auth/session.ts';
import { getDb } from '#src/server/db.ts';
import { getEnv } from '#src/server/env.ts';
import { formBodyProblem, isPagePost } from '#src/server/http/form-body.ts';
import { createPublicPageCache } from '#src/server/http/public-page-cache.ts';
import { limitRegistryRequests } from '#src/server/http/registry-access.ts';
import { observeRequest } from '#src/server/http/request-log.ts';
import { maxBodyBytesFor, withFrameAncestors } from '#src/server/http/security-headers.ts';
import { isRefusalRewrite, showRefusal } from '#src/server/page-refusal.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Why a form post from another site (or one that does not say where it comes from) is refused. */
const CROSS_SITE_FORM =
  'This form was sent from another site, or by a browser or tool that did not say which site it came from, so it was refused to protect your account.';

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

/** What a person is told when their form (with its file) is larger than the page accepts. */
function tooLargeMessage(limitBytes: number): string {
  const megabytes = Math.floor(limitBytes / (1024 * 1024));
  return `What you sent is larger than this form accepts: ${megabytes} MiB in all, files included.`;
}

/** The signed-in user and session of the request's cookie, in `locals`; a stale cookie is deleted. */
async function validateSession(context: APIContext): Promise<void> {
  const cookieName = sessionCookieName(getEnv().NODE_ENV === 'production');
  const token = context.cookies.get(cookieName)?.value;
  if (!token) return;
  const { db } = await getDb();
  const validated = await validateSessionToken(db, token);
  if (validated) {
    context.locals.user = validated.user;
    context.locals.session = validated.session;
  } else {
    context.cookies.delete(cookieName, { path: '/' });
  }
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
      // A person's form (a file too large for it) gets the site's page, signed in as they are, saying what to do.
      if (isPagePost(request.method, url.pathname) && isSameOrigin(request, url)) {
        await validateSession(context);
        return next(
          showRefusal(context.locals, { status: 413, message: tooLargeMessage(limitBytes), refusedForm: true }),
        );
      }
      return plain(413, `The request is too large (limit ${limitBytes / 1024} KiB).`);
    }
    if (!isSameOrigin(request, url) && !STATELESS_POST_PATHS.has(url.pathname)) {
      // A person's form post gets the site's page, so that they learn what happened and what to do; the
      // API's callers get a line of text.
      if (isPagePost(request.method, url.pathname)) {
        return next(showRefusal(context.locals, { status: 403, message: CROSS_SITE_FORM, refusedForm: true }));
      }
      return plain(403, 'This request came from another site and was refused.');
    }
  }

  await validateSession(context);
  if (isPagePost(request.method, url.pathname)) {
    const problem = await formBodyProblem(request);
    if (problem) {
      return next(showRefusal(context.locals, { ...problem, refusedForm: true }));
    }
  }
  return next();
});

/** The registry's per-address limit, before a page or the page cache answers (registry-access.ts). */
const limitRegistry = defineMiddleware((context, next) => {
  if (context.isPrerendered) return next();
  return limitRegistryRequests(context.clientAddress, context.url.pathname) ?? next();
});

const pageCache = createPublicPageCache();

/** Public pages for visitors without a session, from memory while the database is unchanged (public-page-cache.ts). */
const answerFromPageCache = defineMiddleware(async (context, next) => {
  if (context.isPrerendered || context.request.method !== 'GET' || context.locals.session !== null) return next();
  const generation = dataGeneration((await getDb()).db);
  if (generation === null) return next();
  const key = context.url.pathname + context.url.search;
  const stored = pageCache.lookup(key, generation, context.request.headers.get('If-None-Match'));
  return stored ?? pageCache.store(key, generation, await next());
});

/** Every rendered page's CSP header says who may frame it (withFrameAncestors in security-headers.ts). */
const addFrameAncestors = defineMiddleware(async (context, next) =>
  context.isPrerendered ? next() : withFrameAncestors(await next()),
);

const handleRequest = sequence(
  defineMiddleware(observeRequest),
  addFrameAncestors,
  guardRequest,
  limitRegistry,
  answerFromPageCache,
);

// Astro runs the middleware again when a page refuses with the refusal page (page-refusal.ts): that request
// was logged, guarded and counted already, and a refusal is never stored in the public page cache.
export const onRequest = defineMiddleware((context, next) =>
  isRefusalRewrite(context.locals) ? next() : handleRequest(context, next),
);
