import type { APIRoute } from 'astro';
import { and, eq } from 'drizzle-orm';
import { credentials } from '#db/schema/index.ts';
import { getDb } from '#src/server/db.ts';
import { getEnv } from '#src/server/env.ts';
import { signedInUser } from '#src/server/page-guards.ts';
import { normaliseCredentialNumber } from '#src/server/services/credentials.ts';
import { issueBadge } from '#src/server/services/open-badges.ts';

export const prerender = false;

/** The signed-in holder's Open Badges 3.0 credential, signed now (an EnvelopedVerifiableCredential, JSON). */
export const GET: APIRoute = async ({ locals, params, url, redirect }) => {
  const user = signedInUser(locals);
  if (!user) return redirect(`/sign-in?next=${encodeURIComponent(url.pathname)}`, 303);
  const { db } = await getDb();
  const number = normaliseCredentialNumber((params.number ?? '').slice(0, 64));
  const [own] = await db
    .select({ id: credentials.id })
    .from(credentials)
    .where(and(eq(credentials.number, number), eq(credentials.userId, user.id)));
  const env = getEnv();
  const badge = own ? await issueBadge(db, { siteUrl: env.SITE_URL, keyDir: env.CREDENTIAL_KEY_DIR }, number) : null;
  if (!badge)
    return new Response(
      own
        ? 'This credential cannot be issued as a badge in its present status.'
        : 'You hold no credential with this number.',
      {
        status: own ? 403 : 404,
        headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      },
    );
  return new Response(`${JSON.stringify(badge, null, 2)}\n`, {
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Disposition': `attachment; filename="iecpa-${number}-badge.json"`,
      'Cache-Control': 'private, no-store',
    },
  });
};
