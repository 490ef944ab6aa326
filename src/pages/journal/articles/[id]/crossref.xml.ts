import type { APIRoute } from 'astro';
import { CrossrefInputError, crossrefArticleDeposit } from '#src/lib/journal-metadata/crossref.ts';
import { articleForDownload, textDownload } from '#src/server/journal-downloads.ts';
import { journalInfo } from '#src/server/services/journal-articles.ts';
import { depositorEmail } from '#src/server/services/journal-issues.ts';
import { siteOrigin } from '#src/server/services/journal-metadata-source.ts';

export const prerender = false;

/** The Crossref deposit XML for one published article (made on request; there is no live deposit). */
export const GET: APIRoute = async ({ params }) => {
  const found = await articleForDownload(params.id ?? '');
  if (found.response) return found.response;
  try {
    const xml = crossrefArticleDeposit(found.article, journalInfo(siteOrigin()), {
      depositor: {
        name: 'IECPA Journal',
        email: depositorEmail(),
        registrant: 'International External Counterpulsation Association',
      },
      now: Date.now(),
    });
    return textDownload(xml, 'application/xml; charset=utf-8', found.article.doi, 'crossref.xml', true);
  } catch (error) {
    if (!(error instanceof CrossrefInputError)) throw error;
    return new Response(error.message, { status: 422, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  }
};
