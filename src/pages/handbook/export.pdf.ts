import type { APIRoute } from 'astro';
import { hasMembersAccess, MEMBERS_ONLY_MESSAGE } from '#src/lib/access.ts';
import { getDb } from '#src/server/db.ts';
import { signedInUser } from '#src/server/page-guards.ts';
import { handbookEditionPdf } from '#src/server/services/handbook-pdf.ts';

export const prerender = false;

/** The whole published handbook as one PDF, for members. */
export const GET: APIRoute = async ({ locals, url, redirect }) => {
  const user = signedInUser(locals);
  if (!user) return redirect(`/sign-in?next=${encodeURIComponent(url.pathname)}`, 303);
  if (!hasMembersAccess(user)) {
    return new Response(MEMBERS_ONLY_MESSAGE, {
      status: 403,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
    });
  }
  const { db } = await getDb();
  const pdf = await handbookEditionPdf(db);
  return new Response(pdf, {
    headers: {
      'Content-Type': 'application/pdf',
      'Content-Disposition': 'attachment; filename="iecpa-handbook.pdf"',
      'Cache-Control': 'private, no-store',
    },
  });
};
