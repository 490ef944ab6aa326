/**
 * A page that cannot serve its request (an unknown record, someone else's, a missing or malformed parameter, a
 * form post whose body cannot be read, a download the person may not have) answers with the site's own error
 * page instead of a bare line of text: the layout and navigation, the status and the reason, the request
 * reference and the way on (src/pages/refused.astro). Astro renders that page in place of the one asked for;
 * the address in the browser stays as it was. The one way the portal's pages and downloads refuse.
 */

/** Why a page refused, as the refusal page shows it. */
export interface PageRefusal {
  /** The HTTP status of the answer (400-499). */
  status: number;
  /** One or two sentences for the person who asked, as the procedures word their refusals. */
  message: string;
  /**
   * The middleware refused a form post before its page read it (a body it cannot read, or a post from
   * another site): the page then says nothing was saved and how to send the form again.
   */
  refusedForm?: boolean;
  /** Where to go from here when the dashboard (or, for a visitor, the home page) is not the best next step. */
  wayOn?: { href: string; label: string };
}

/** The route that shows a refusal; reached only by a rewrite (a direct visit finds nothing). */
export const REFUSAL_PAGE_PATH = '/refused';

/** What refusePage needs of a page's `Astro` or an endpoint's context. */
export interface RefusingPage {
  locals: App.Locals;
  request: Request;
  url: URL;
  rewrite(to: Request): Promise<Response>;
}

/** Headers that describe a request's body: the refusal page is fetched without one. */
const BODY_HEADERS = ['content-length', 'content-type', 'transfer-encoding'];

/**
 * Records `refusal` for the refusal page and returns that page's path, for the middleware's `next(path)`
 * (a refusal before any page runs); pages and endpoints call refusePage.
 */
export function showRefusal(locals: App.Locals, refusal: PageRefusal): string {
  if (!Number.isInteger(refusal.status) || refusal.status < 400 || refusal.status > 499) {
    throw new RangeError(`A page refusal needs a 4xx status, not ${refusal.status}.`);
  }
  locals.pageRefusal = refusal;
  return REFUSAL_PAGE_PATH;
}

/** Answers the page's (or download's) request with the refusal page, with `status` and `message`. */
export function refusePage(
  astro: RefusingPage,
  status: number,
  message: string,
  wayOn?: PageRefusal['wayOn'],
): Promise<Response> {
  const path = showRefusal(astro.locals, wayOn ? { status, message, wayOn } : { status, message });
  // A GET of the refusal page with the request's headers (its cookies, its language): Astro cannot rewrite a
  // form post whose body the page has read already, and the refusal page reads none.
  const headers = new Headers(astro.request.headers);
  for (const name of BODY_HEADERS) headers.delete(name);
  return astro.rewrite(new Request(new URL(path, astro.url), { method: 'GET', headers }));
}

/**
 * True while Astro runs the middleware again for refusePage's rewrite: the request has been observed,
 * guarded and counted once already, and its refusal must not go into the public page cache.
 */
export function isRefusalRewrite(locals: App.Locals): boolean {
  return locals.pageRefusal !== undefined;
}
