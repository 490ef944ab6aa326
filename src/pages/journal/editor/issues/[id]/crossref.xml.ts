import type { APIRoute } from 'astro';
import { CrossrefInputError } from '#src/lib/journal-metadata/crossref.ts';
import { getDb } from '#src/server/db.ts';
import { requireUser } from '#src/server/page-guards.ts';
import { statusForCode } from '#src/server/refusal.ts';
import { issueDeposit } from '#src/server/services/journal-issues.ts';
import { siteOrigin } from '#src/server/services/journal-metadata-source.ts';

export const prerender = false;

const text = (body: string, status: number) =>
  new Response(body, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });

/** An issue's Crossref deposit XML for editors (made on request; there is no live deposit). */
export const GET: APIRoute = async (context) => {
  const guard = requireUser(context, 'editor');
  if (guard.response) return guard.response;
  const { params } = context;
  const { db } = await getDb();
  try {
    const deposit = await issueDeposit(db, params.id ?? '', siteOrigin());
    if (!deposit.ok) return text(deposit.message, statusForCode(deposit.code));
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
    return text(error.message, 422);
  }
};
