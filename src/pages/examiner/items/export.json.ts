import type { APIRoute } from 'astro';
import { getDb } from '#src/server/db.ts';
import { requireUser } from '#src/server/page-guards.ts';
import { exportItems } from '#src/server/services/exam-items.ts';

export const prerender = false;

/** A bank's current item versions as an items file (the import format), as a download. */
export const GET: APIRoute = async (context) => {
  const guard = requireUser(context, 'examiner');
  if (guard.response) return guard.response;
  const bank = context.url.searchParams.get('bank') ?? '';
  if (!/^[a-z0-9-]{1,60}$/.test(bank)) return new Response('Name the bank: ?bank=level-1.', { status: 400 });
  const { db } = await getDb();
  return new Response(await exportItems(db, bank), {
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Disposition': `attachment; filename="${bank}-items.json"`,
      'Cache-Control': 'no-store',
    },
  });
};
