import { resolve } from 'node:path';
import type { APIRoute } from 'astro';
import { getDb } from '#src/server/db.ts';
import { getEnv } from '#src/server/env.ts';
import { refusePage } from '#src/server/page-refusal.ts';
import { readArticlePdf } from '#src/server/services/journal-articles.ts';
import { attachmentResponse } from '#src/server/uploads.ts';

export const prerender = false;

/** A published article's PDF: open access, always as a download, never rendered in the portal's origin. */
export const GET: APIRoute = async (context) => {
  const { params } = context;
  const { db } = await getDb();
  const pdf = await readArticlePdf(db, resolve(getEnv().UPLOAD_DIR), params.id ?? '');
  if (!pdf) {
    return refusePage(context, 404, 'There is no PDF for this article.', {
      href: '/journal',
      label: 'Go to the journal',
    });
  }
  const response = attachmentResponse(pdf.bytes, 'application/pdf', `${pdf.doi.replace(/[/.]/g, '-')}.pdf`);
  response.headers.set('Cache-Control', 'public, max-age=3600');
  response.headers.set('Content-Security-Policy', "default-src 'none'; sandbox");
  return response;
};
