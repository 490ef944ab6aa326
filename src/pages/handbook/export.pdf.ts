import type { APIRoute } from 'astro';
import { getDb } from '#src/server/db.ts';
import { requireMemberForDownload } from '#src/server/page-guards.ts';
import { handbookEditionPdf } from '#src/server/services/handbook-pdf.ts';

export const prerender = false;

/** The whole published handbook as one PDF, for members. */
export const GET: APIRoute = async (context) => {
  const guard = requireMemberForDownload(context);
  if (guard.response) return guard.response;
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
