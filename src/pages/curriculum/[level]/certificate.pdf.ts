import type { APIRoute } from 'astro';
import { getDb } from '#src/server/db.ts';
import { getEnv } from '#src/server/env.ts';
import { requireMemberForDownload } from '#src/server/page-guards.ts';
import { refusePage } from '#src/server/page-refusal.ts';
import { statusForCode } from '#src/server/refusal.ts';
import { levelCertificatePdf } from '#src/server/services/handbook-pdf.ts';

export const prerender = false;

/** The signed-in member's certificate of completion of a level, once every module is complete. */
export const GET: APIRoute = async (context) => {
  const { params } = context;
  const guard = requireMemberForDownload(context);
  if (guard.response) return guard.response;
  const user = guard.user;
  const { db } = await getDb();
  const result = await levelCertificatePdf(db, { id: user.id, name: user.name }, params.level ?? '', getEnv().SITE_URL);
  if (!result.ok) {
    return refusePage(context, statusForCode(result.code), result.message, {
      href: '/curriculum',
      label: 'Go to the curriculum',
    });
  }
  return new Response(result.pdf, {
    headers: {
      'Content-Type': 'application/pdf',
      'Content-Disposition': `attachment; filename="iecpa-certificate-${params.level}.pdf"`,
      'Cache-Control': 'private, no-store',
    },
  });
};
