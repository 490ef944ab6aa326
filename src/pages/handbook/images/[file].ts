import type { APIRoute } from 'astro';
import { getEnv } from '#src/server/env.ts';
import { readImage } from '#src/server/services/handbook-images.ts';

export const prerender = false;

/** An image used in the handbook (public: chapters' outlines may show them to visitors too). */
export const GET: APIRoute = async ({ params }) => {
  const image = await readImage(getEnv().UPLOAD_DIR, params.file ?? '');
  if (!image)
    return new Response('No such image.', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  return new Response(image.bytes, {
    headers: {
      'Content-Type': image.contentType,
      // Names are content hashes: a name always means the same bytes.
      'Cache-Control': 'public, max-age=31536000, immutable',
      'Content-Security-Policy': "default-src 'none'",
    },
  });
};
