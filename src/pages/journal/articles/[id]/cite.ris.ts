import type { APIRoute } from 'astro';
import { toRis } from '#src/lib/journal-metadata/citations.ts';
import { articleForDownload, textDownload } from '#src/server/journal-downloads.ts';
import { journalInfo } from '#src/server/services/journal-articles.ts';
import { siteOrigin } from '#src/server/services/journal-metadata-source.ts';

export const prerender = false;

/** The article as an RIS record (reference managers). */
export const GET: APIRoute = async ({ params }) => {
  const found = await articleForDownload(params.id ?? '');
  if (found.response) return found.response;
  return textDownload(
    toRis(found.article, journalInfo(siteOrigin())),
    'application/x-research-info-systems; charset=utf-8',
    found.article.doi,
    'ris',
  );
};
