import type { APIRoute } from 'astro';
import { CrossrefInputError } from '#src/lib/journal-metadata/crossref.ts';
import { getDb } from '#src/server/db.ts';
import { requireUser } from '#src/server/page-guards.ts';
import { refusePage } from '#src/server/page-refusal.ts';
import { statusForCode } from '#src/server/refusal.ts';
import { issueDeposit } from '#src/server/services/journal-issues.ts';
import { siteOrigin } from '#src/server/services/journal-metadata-source.ts';

export const prerender = false;

/** An issue's Crossref deposit XML for editors (made on request; there is no live deposit). */
export const GET: APIRoute = async (context) => {
  const guard = requireUser(context, 'editor');
  if (guard.response) return guard.response;
  const { params } = context;
  const { db } = await getDb();
  try {
    const deposit = await issueDeposit(db, params.id ?? '', siteOrigin());
    if (!deposit.ok) return refusePage(context, statusForCode(deposit.code), deposit.message);
    return new Response(deposit.xml, {
      headers: {
        'Content-Type': 'application/xml; charset=utf-8',
        'Content-Disposition': `attachment; filename="${deposit.label}-crossref.xml"`,
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'private, no-store',
      },
    });
  } catch (error) {
    if (!(error instanceof CrossrefInputError)) throw error;
    return refusePage(context, 422, error.message, {
      href: `/journal/editor/issues/${encodeURIComponent(params.id ?? '')}`,
      label: 'Back to the issue',
    });
  }
};
