import type { SearchValues } from './_DirectorySearch.astro';

/** Highest page number taken from an address; the search shows its last page for anything beyond it. */
const MAX_PAGE = 10_000;

/**
 * The directory search as typed in the address bar. Text goes to the procedure as typed (it validates);
 * a page number that is not a positive whole number means page 1, as a mistyped link should not fail.
 */
export function searchValuesFrom(url: URL): SearchValues & { page: number } {
  const get = (key: string) => (url.searchParams.get(key) ?? '').slice(0, 200);
  const page = Number(get('page'));
  return {
    q: get('q'),
    country: get('country'),
    city: get('city'),
    language: get('language'),
    page: Number.isInteger(page) && page > 0 ? Math.min(page, MAX_PAGE) : 1,
  };
}
