import type { SearchValues } from './_DirectorySearch.astro';

/** The directory search as typed in the address bar (strings; the procedure validates them). */
export function searchValuesFrom(url: URL): SearchValues & { page: string } {
  const get = (key: string) => (url.searchParams.get(key) ?? '').slice(0, 200);
  return {
    q: get('q'),
    country: get('country'),
    city: get('city'),
    language: get('language'),
    page: get('page') || '1',
  };
}
