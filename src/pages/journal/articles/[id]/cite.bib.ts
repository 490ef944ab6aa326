import type { APIRoute } from 'astro';
import { toBibtex } from '#src/lib/journal-metadata/citations.ts';
import { articleForDownload, textDownload } from '#src/server/journal-downloads.ts';
import { journalInfo } from '#src/server/services/journal-articles.ts';
import { siteOrigin } from '#src/server/services/journal-metadata-source.ts';

export const prerender = false;

/** The article as a BibTeX entry. */
export const GET: APIRoute = async ({ params }) => {
  const found = await articleForDownload(params.id ?? '');
  if (found.response) return found.response;
  return textDownload(
    toBibtex(found.article, journalInfo(siteOrigin())),
    'application/x-bibtex; charset=utf-8',
    found.article.doi,
    'bib',
  );
};
