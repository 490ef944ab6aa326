import type { APIRoute } from 'astro';
import { csvDownload } from '#src/server/csv.ts';
import { getDb } from '#src/server/db.ts';
import { requireUser } from '#src/server/page-guards.ts';
import { refusePage } from '#src/server/page-refusal.ts';
import { exportAttemptsCsv } from '#src/server/services/simulator-attempts.ts';
import { simulatorInputs } from '#src/server/services/simulator-schemas.ts';

export const prerender = false;

/** The attempts list as CSV, with the same filters as /examiner/attempts (a file, so a plain endpoint). */
export const GET: APIRoute = async (context) => {
  const guard = requireUser(context, 'examiner');
  if (guard.response) return guard.response;
  const params = context.url.searchParams;
  const parsed = simulatorInputs.listAttempts.safeParse({
    assessmentId: params.get('assessmentId') || undefined,
    candidate: params.get('candidate') ?? '',
    outcome: params.get('outcome') || undefined,
  });
  if (!parsed.success) {
    return refusePage(context, 400, 'Those filters are not valid.', {
      href: '/examiner/attempts',
      label: 'Back to the attempts',
    });
  }
  const { db } = await getDb();
  const csv = await exportAttemptsCsv(db, parsed.data);
  return csvDownload(csv, 'simulator-attempts');
};
