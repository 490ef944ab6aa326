import type { APIRoute } from 'astro';
import { csvDownload } from '#src/server/csv.ts';
import { getDb } from '#src/server/db.ts';
import { requireUser } from '#src/server/page-guards.ts';
import { ATTEMPT_OUTCOMES, exportAttemptsCsv } from '#src/server/services/exam-attempts.ts';
import { getExamBySlug } from '#src/server/services/exam-forms.ts';

export const prerender = false;

/** An exam's attempts as CSV, with the filters of its attempts page (?outcome, ?candidate); a file, so a plain endpoint. */
export const GET: APIRoute = async (context) => {
  const guard = requireUser(context, 'examiner');
  if (guard.response) return guard.response;
  const outcome = context.url.searchParams.get('outcome') || 'any';
  const candidate = (context.url.searchParams.get('candidate') ?? '').trim();
  if (!(ATTEMPT_OUTCOMES as readonly string[]).includes(outcome) || candidate.length > 100) {
    return new Response('Those filters are not valid. Go back to the attempts list.', { status: 400 });
  }
  const { db } = await getDb();
  const exam = await getExamBySlug(db, context.params.slug ?? '');
  if (!exam) return new Response('That exam does not exist.', { status: 404 });
  const csv = await exportAttemptsCsv(db, exam.id, {
    outcome: outcome as (typeof ATTEMPT_OUTCOMES)[number],
    candidate,
  });
  return csvDownload(csv, `exam-${exam.slug}-attempts`);
};
