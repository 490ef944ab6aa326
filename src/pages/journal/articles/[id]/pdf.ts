import { resolve } from 'node:path';
import type { APIRoute } from 'astro';
import { getDb } from '#src/server/db.ts';
import { getEnv } from '#src/server/env.ts';
import { readArticlePdf } from '#src/server/services/journal-articles.ts';
import { attachmentResponse } from '#src/server/uploads.ts';

export const prerender = false;

/** A published article's PDF: open access, always as a download, never rendered in the portal's origin. */
export const GET: APIRoute = async ({ params }) => {
  const { db } = await getDb();
  const pdf = await readArticlePdf(db, resolve(getEnv().UPLOAD_DIR), params.id ?? '');
  if (!pdf) {
    return new Response('No PDF for this article.', {
      status: 404,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
    });
  }
  const response = attachmentResponse(pdf.bytes, 'application/pdf', `${pdf.doi.replace(/[/.]/g, '-')}.pdf`);
  response.headers.set('Cache-Control', 'public, max-age=3600');
  response.headers.set('Content-Security-Policy', "default-src 'none'; sandbox");
  return response;
};
