/**
 * The method and the path of a request, checked before anything reads them, as the Host header is
 * (host-header.ts). Astro renders a page for any method: PUT or DELETE on /account answered 200 with the page,
 * and TRACE, which the fetch API's Request cannot carry, gave a 500 and an error in the log. A path whose
 * percent-encoding is not UTF-8 (`/%ff`, `/%E0%A4%A`) logged an error too.
 */

/** What the front door answers instead of the portal. */
export interface FrontDoorAnswer {
  status: 204 | 400 | 405;
  /** The text of the answer (none for 204). */
  message: string;
  /** The Allow header (RFC 9110 §10.2.1): with 405, and with 204 to OPTIONS. */
  allow?: string;
}

/** The methods pages take: reading them, and posting their forms. */
const PAGE_METHODS = new Set(['GET', 'HEAD', 'POST']);
const PAGE_ALLOW = 'GET, HEAD, POST';
/** Endpoints under /api/ answer every method themselves (tRPC, /api/health) except these, which no Request can carry. */
const UNREPRESENTABLE_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

/** Whether `pathname` is an API endpoint (tRPC, /api/health), which answers its own methods and bodies, not a page. */
export function isApiPath(pathname: string): boolean {
  return pathname === '/api' || pathname.startsWith('/api/');
}

function hasValidPercentEncoding(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

/** Null when the portal should handle the request; otherwise the answer to give instead. */
export function frontDoorAnswer(method: string | undefined, target: string | undefined): FrontDoorAnswer | null {
  const path = (target ?? '/').split('?')[0] ?? '/';
  if (!hasValidPercentEncoding(path)) {
    return { status: 400, message: 'Bad request: the address is not validly encoded (percent-encoded UTF-8).' };
  }
  const verb = method ?? 'GET';
  if (isApiPath(path)) {
    return UNREPRESENTABLE_METHODS.has(verb)
      ? { status: 405, message: `${verb} is not served here.`, allow: 'GET, HEAD, POST' }
      : null;
  }
  if (PAGE_METHODS.has(verb)) return null;
  if (verb === 'OPTIONS') return { status: 204, message: '', allow: PAGE_ALLOW };
  return { status: 405, message: `${verb} is not served here: pages take GET, HEAD and POST.`, allow: PAGE_ALLOW };
}
