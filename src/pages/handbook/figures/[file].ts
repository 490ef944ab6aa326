import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIRoute } from 'astro';
import { FIGURES } from '#src/server/services/handbook-figures.ts';
import { DEFAULT_CONTENT_DIR } from '#src/server/services/handbook-import.ts';

export const prerender = false;

const FILES = new Set(FIGURES.map((f) => `${f.name}.svg`));

/** A waveform figure drawn by the engine (content/figures, see scripts/handbook-figures.ts); public. */
export const GET: APIRoute = ({ params }) => {
  const file = params.file ?? '';
  // Only the known figure names: the parameter never reaches the file system otherwise.
  if (!FILES.has(file))
    return new Response('No such figure.', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  return new Response(readFileSync(join(DEFAULT_CONTENT_DIR, 'figures', file), 'utf8'), {
    headers: {
      'Content-Type': 'image/svg+xml; charset=utf-8',
      'Cache-Control': 'public, max-age=3600',
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
    },
  });
};
