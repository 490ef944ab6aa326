/**
 * The one check that a page's POST carries a form a page can read. Pages read posts with
 * `request.formData()`, which throws on any other content type or on a malformed body: without this check
 * that surfaced as a 500 on every form page (108 of 160 malformed posts in a probe). The middleware runs it
 * before any page and answers 415 or 400 with the refusal page instead (page-refusal.ts).
 */
import { isApiPath } from './request-line.ts';

const FORM_CONTENT_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data']);

export interface FormBodyProblem {
  status: 400 | 415;
  message: string;
}

/** Whether `pathname` is a page (form posts) rather than an API endpoint with its own body rules. */
export function isPagePost(method: string, pathname: string): boolean {
  return method === 'POST' && !isApiPath(pathname);
}

/**
 * Null when the request's body is a form the page can read; otherwise what is wrong with it. Parses a clone
 * (the page reads the original); the body is already within the middleware's size limit.
 */
export async function formBodyProblem(request: Request): Promise<FormBodyProblem | null> {
  const type = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!FORM_CONTENT_TYPES.has(type)) {
    return { status: 415, message: 'The page expected a form, but your browser sent something else.' };
  }
  try {
    await request.clone().formData();
    return null;
  } catch {
    return { status: 400, message: 'The form your browser sent could not be read (it was incomplete or damaged).' };
  }
}
