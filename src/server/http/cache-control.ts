/**
 * What a rendered page tells caches. A page says whether it is the same for every visitor who is not signed
 * in (BaseLayout's `publicCacheSeconds`); anything rendered for a signed-in person carries their account
 * menu and stays private. Public copies vary on the cookie, so a shared cache never hands a visitor's copy
 * to a signed-in person. Shared caches, browsers and this server's own page cache (public-page-cache.ts)
 * all read the same header.
 */
export function pageCacheControl(signedIn: boolean, publicSeconds: number | undefined): string {
  if (signedIn || publicSeconds === undefined) return 'private, no-store';
  return publicSeconds > 0 ? `public, max-age=${publicSeconds}` : 'public, no-cache';
}

/** True for a response that any visitor may be given a stored copy of. */
export function isPublicResponse(response: Response): boolean {
  return /^\s*public\b/i.test(response.headers.get('Cache-Control') ?? '');
}
