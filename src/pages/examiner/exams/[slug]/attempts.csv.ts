import type { APIRoute } from 'astro';
import { csvDownload } from '#src/server/csv.ts';
import { getDb } from '#src/server/db.ts';
import { requireUser } from '#src/server/page-guards.ts';
import { exportAttemptsCsv } from '#src/server/services/exam-attempts.ts';
import { getExamBySlug } from '#src/server/services/exam-forms.ts';

export const prerender = false;

const OUTCOMES = ['any', 'passed', 'failed', 'voided'] as const;

/** An exam's attempts as CSV (?outcome=passed|failed|voided filters); a file, so a plain endpoint. */
export const GET: APIRoute = async (context) => {
  const guard = requireUser(context, 'examiner');
  if (guard.response) return guard.response;
  const outcome = context.url.searchParams.get('outcome') ?? 'any';
  if (!(OUTCOMES as readonly string[]).includes(outcome)) {
    return new Response('Filter by passed, failed or voided, or leave the filter out.', { status: 400 });
  }
  const { db } = await getDb();
  const exam = await getExamBySlug(db, context.params.slug ?? '');
  if (!exam) return new Response('That exam does not exist.', { status: 404 });
  const csv = await exportAttemptsCsv(db, exam.id, outcome as (typeof OUTCOMES)[number]);
  return csvDownload(csv, `exam-${exam.slug}-attempts`);
};
