import type { APIRoute } from 'astro';
import { getDb } from '#src/server/db.ts';
import { getEnv } from '#src/server/env.ts';
import { signedInUser } from '#src/server/page-guards.ts';
import { photoForViewer, resolveViewer } from '#src/server/services/member-directory.ts';
import { PHOTO_FOLDER } from '#src/server/services/member-profile.ts';
import { attachmentResponse, readStoredFile } from '#src/server/uploads.ts';

export const prerender = false;

function notFound(): Response {
  return new Response('No photo here.', {
    status: 404,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' },
  });
}

/**
 * A member's photo, for whoever may see it (the member, admins, and others as its visibility and the
 * member's listing allow); everyone else gets the same 404 as for a member without a photo.
 */
export const GET: APIRoute = async ({ params, locals }) => {
  const { db } = await getDb();
  const viewer = await resolveViewer(db, signedInUser(locals));
  const photo = await photoForViewer(db, viewer, params.userId ?? '');
  if (!photo) return notFound();
  const bytes = await readStoredFile(getEnv().UPLOAD_DIR, PHOTO_FOLDER, photo.storedName);
  if (!bytes) return notFound();
  const extension = photo.contentType === 'image/png' ? 'png' : 'jpg';
  // An attachment with the type fixed by its bytes: <img> shows it, but it never renders as a page.
  const response = attachmentResponse(bytes, photo.contentType, `photo.${extension}`);
  response.headers.set('Content-Security-Policy', "default-src 'none'");
  return response;
};
