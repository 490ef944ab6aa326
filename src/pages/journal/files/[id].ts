import { resolve } from 'node:path';
import type { APIRoute } from 'astro';
import { getDb } from '#src/server/db.ts';
import { getEnv } from '#src/server/env.ts';
import { refusePage } from '#src/server/page-refusal.ts';
import { readFileFor } from '#src/server/services/journal-editorial.ts';
import { attachmentResponse } from '#src/server/uploads.ts';

export const prerender = false;

/**
 * A submission file for whoever may read it (journal-editorial.ts readFileFor: the submitter, an invited
 * reviewer for the anonymised copy, a non-conflicted editor), always as a download. Anyone else gets the
 * same 404 as for an id that does not exist.
 */
export const GET: APIRoute = async (context) => {
  const { params, url } = context;
  const { user, session } = context.locals;
  if (!user || !session?.twoFactorVerified)
    return context.redirect(`/sign-in?next=${encodeURIComponent(url.pathname)}`, 303);
  const { db } = await getDb();
  const file = await readFileFor(db, resolve(getEnv().UPLOAD_DIR), user, params.id ?? '');
  if (!file) {
    return refusePage(context, 404, 'No such file, or it is not yours to see.');
  }
  const response = attachmentResponse(file.bytes, file.mimeType, file.originalName);
  response.headers.set('Content-Security-Policy', "default-src 'none'; sandbox");
  return response;
};
