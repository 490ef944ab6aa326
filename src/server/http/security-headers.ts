/** Who may frame the portal's pages: nobody (clickjacking). A <meta> CSP cannot carry it (CSP Level 3 §6.1). */
export const FRAME_ANCESTORS = "frame-ancestors 'none'";

/**
 * A page's own CSP header (Astro's, with the hashes of its scripts and styles) replaces the one scripts/serve.ts
 * sets for every response, and Astro's directives also go into the <meta> of prerendered pages, where browsers
 * ignore frame-ancestors and report an error. So the directive is not in astro.config.mjs: it is added here to
 * each rendered page's header.
 */
export function withFrameAncestors(response: Response): Response {
  const csp = response.headers.get('content-security-policy');
  if (csp === null || csp.includes('frame-ancestors')) return response;
  const value = `${csp.replace(/;\s*$/, '')}; ${FRAME_ANCESTORS}`;
  try {
    response.headers.set('content-security-policy', value);
    return response;
  } catch {
    // Immutable headers (a redirect, a fetched response): copy the response.
    const copy = new Response(response.body, response);
    copy.headers.set('content-security-policy', value);
    return copy;
  }
}

/**
 * Headers for every response, static files included (scripts/serve.ts applies them). The script-src and
 * style-src parts of the CSP are Astro's (a per-page <meta> with hashes); the directives a <meta> cannot
 * carry, such as frame-ancestors, must come as a header (CSP Level 3 §6.1).
 */
export function securityHeaders(production: boolean): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Security-Policy': `${FRAME_ANCESTORS}; object-src 'none'; base-uri 'none'; form-action 'self'`,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
    'X-Frame-Options': 'DENY',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
    'Cross-Origin-Opener-Policy': 'same-origin',
  };
  if (production) headers['Strict-Transport-Security'] = 'max-age=63072000; includeSubDomains';
  return headers;
}

/** Largest request body accepted (bytes). Uploads get their own, larger limit when they arrive. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Requests that carry one membership document (at most 5 MiB, MAX_DOCUMENT_BYTES in membership-documents.ts)
 * with the application form around it. Only these routes get the larger limit.
 */
export const DOCUMENT_UPLOAD_BODY_BYTES = 5 * 1024 * 1024 + 256 * 1024;
const DOCUMENT_UPLOAD_PATHS = new Set([
  '/membership/apply',
  '/api/trpc/applications.uploadDocument',
  // One journal file (MAX_JOURNAL_FILE_BYTES in journal-submissions.ts, also 5 MiB) per request.
  '/journal/submit',
  '/journal/editor/production',
  '/api/trpc/journal.uploadFile',
  '/api/trpc/journal.uploadArticlePdf',
  '/api/trpc/journal.attachAnnotation',
]);
/** A reviewer's report page, whose form carries the optional annotated manuscript (one journal file). */
const REVIEW_PAGE = /^\/journal\/reviews\/[A-Za-z0-9_-]{1,64}$/;

/** The largest request body accepted on `pathname`. */
export function maxBodyBytesFor(pathname: string): number {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  return DOCUMENT_UPLOAD_PATHS.has(path) || REVIEW_PAGE.test(path) ? DOCUMENT_UPLOAD_BODY_BYTES : MAX_BODY_BYTES;
}
