import {
  type MemberCsvField,
  type MemberFilter,
  memberCsvFieldsInput,
  memberFilterInput,
} from './services/member-admin.ts';

/**
 * The member filter as it travels in URLs and forms (q, status, category, country): shared by the members
 * page, its CSV endpoint and its reminder form, so a filter means the same thing in all three.
 */
export function memberFilterFromParams(
  params: URLSearchParams | Record<string, string | undefined>,
): { ok: true; filter: MemberFilter } | { ok: false; message: string } {
  const get = (key: string): string | undefined => {
    const value = params instanceof URLSearchParams ? params.get(key) : params[key];
    return value === null || value === undefined || value.trim() === '' ? undefined : value;
  };
  const parsed = memberFilterInput.safeParse({
    query: get('q') ?? '',
    status: get('status'),
    categoryId: get('category'),
    country: get('country'),
  });
  if (!parsed.success) {
    return { ok: false, message: parsed.error.issues[0]?.message ?? 'That filter is not valid.' };
  }
  return { ok: true, filter: parsed.data };
}

/** The filter as URL parameters (empty ones left out), e.g. for links that keep it. */
export function memberFilterParams(filter: MemberFilter): URLSearchParams {
  const params = new URLSearchParams();
  if (filter.query) params.set('q', filter.query);
  if (filter.status) params.set('status', filter.status);
  if (filter.categoryId) params.set('category', filter.categoryId);
  if (filter.country) params.set('country', filter.country);
  return params;
}

/** The ticked CSV fields (repeated `field` parameters). */
export function csvFieldsFromParams(
  params: URLSearchParams,
): { ok: true; fields: MemberCsvField[] } | { ok: false; message: string } {
  const parsed = memberCsvFieldsInput.safeParse(params.getAll('field'));
  if (!parsed.success) return { ok: false, message: parsed.error.issues[0]?.message ?? 'Those fields are not valid.' };
  return { ok: true, fields: parsed.data };
}
