import type { APIRoute } from 'astro';
import { getDb } from '#src/server/db.ts';
import { getEnv } from '#src/server/env.ts';
import { signedInUser } from '#src/server/page-guards.ts';
import { refusePage } from '#src/server/page-refusal.ts';
import { statusForCode } from '#src/server/refusal.ts';
import { credentialCertificatePdf } from '#src/server/services/credential-certificate.ts';
import { normaliseCredentialNumber } from '#src/server/services/credentials.ts';

export const prerender = false;

/** The signed-in holder's certificate of a credential (its QR code leads to the live registry record). */
export const GET: APIRoute = async (context) => {
  const { params, url } = context;
  const user = signedInUser(context.locals);
  if (!user) return context.redirect(`/sign-in?next=${encodeURIComponent(url.pathname)}`, 303);
  const { db } = await getDb();
  const number = normaliseCredentialNumber((params.number ?? '').slice(0, 64));
  const result = await credentialCertificatePdf(db, user.id, number, getEnv().SITE_URL);
  if (!result.ok) {
    return refusePage(context, statusForCode(result.code), result.message, {
      href: '/credentials',
      label: 'Go to your credentials',
    });
  }
  return new Response(result.pdf, {
    headers: {
      'Content-Type': 'application/pdf',
      'Content-Disposition': `attachment; filename="iecpa-${result.number}.pdf"`,
      'Cache-Control': 'private, no-store',
    },
  });
};
