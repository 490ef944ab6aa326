import { resolve } from 'node:path';
import type { APIRoute } from 'astro';
import { getDb } from '#src/server/db.ts';
import { getEnv } from '#src/server/env.ts';
import { refusePage } from '#src/server/page-refusal.ts';
import { readDocumentFor } from '#src/server/services/membership-documents.ts';
import { attachmentResponse } from '#src/server/uploads.ts';

export const prerender = false;

/**
 * A supporting document, for its applicant and for admins, always as a download. Anyone else gets the same
 * 404 as for an id that does not exist, so ids cannot be probed.
 */
export const GET: APIRoute = async (context) => {
  const { params, url } = context;
  const { user, session } = context.locals;
  if (!user || !session?.twoFactorVerified) {
    return context.redirect(`/sign-in?next=${encodeURIComponent(url.pathname)}`, 303);
  }
  const { db } = await getDb();
  const document = await readDocumentFor(db, resolve(getEnv().UPLOAD_DIR), user, params.id ?? '');
  if (!document) return refusePage(context, 404, 'No such document, or it is not yours to see.');
  const response = attachmentResponse(document.bytes, document.mimeType, document.originalName);
  response.headers.set('Content-Security-Policy', "default-src 'none'; sandbox");
  return response;
};
