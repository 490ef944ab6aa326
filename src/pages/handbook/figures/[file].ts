import type { APIRoute } from 'astro';

export const prerender = false;

/**
 * The committed figures, read at build time into the server bundle (a path relative to this module would
 * point into dist/ once built).
 */
const SOURCES = import.meta.glob('../../../../content/figures/*.svg', {
  query: '?raw',
  import: 'default',
  eager: true,
}) as Record<string, string>;
const FIGURE_FILES = new Map(
  Object.entries(SOURCES).map(([path, svg]) => [path.slice(path.lastIndexOf('/') + 1), svg]),
);

/** A waveform figure drawn by the engine (content/figures, see scripts/handbook-figures.ts); public. */
export const GET: APIRoute = ({ params }) => {
  const file = params.file ?? '';
  // Only the known figure names: the parameter never reaches the file system otherwise.
  const svg = FIGURE_FILES.get(file);
  if (svg === undefined)
    return new Response('No such figure.', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  return new Response(svg, {
    headers: {
      'Content-Type': 'image/svg+xml; charset=utf-8',
      'Cache-Control': 'public, max-age=3600',
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
    },
  });
};
