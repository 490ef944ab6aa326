import type { APIRoute } from 'astro';
import { requestMeta } from '#src/server/api/context.ts';
import { csvDownload } from '#src/server/csv.ts';
import { getDb } from '#src/server/db.ts';
import { csvFieldsFromParams, memberFilterFromParams } from '#src/server/member-admin-params.ts';
import { requireUser } from '#src/server/page-guards.ts';
import { refusePage } from '#src/server/page-refusal.ts';
import { exportMembersCsv } from '#src/server/services/member-admin.ts';

export const prerender = false;

/** The member list as CSV with the fields the admin ticked and the filters of /admin/members (a file). */
export const GET: APIRoute = async (context) => {
  const guard = requireUser(context, 'admin');
  if (guard.response) return guard.response;
  const params = context.url.searchParams;
  const filter = memberFilterFromParams(params);
  const fields = csvFieldsFromParams(params);
  if (!filter.ok || !fields.ok) {
    const message = !filter.ok ? filter.message : fields.ok ? '' : fields.message;
    return refusePage(context, 400, message, { href: '/admin/members', label: 'Back to the members' });
  }
  const { db } = await getDb();
  const { csv } = await exportMembersCsv(
    db,
    guard.user.id,
    { filter: filter.filter, fields: fields.fields },
    requestMeta(context),
  );
  return csvDownload(csv, 'iecpa-members');
};
