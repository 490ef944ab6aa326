import type { APIRoute } from 'astro';
import { CrossrefInputError, crossrefArticleDeposit } from '#src/lib/journal-metadata/crossref.ts';
import { getEnv } from '#src/server/env.ts';
import { articleForDownload, textDownload } from '#src/server/journal-downloads.ts';
import { journalInfo } from '#src/server/services/journal-articles.ts';
import { siteOrigin } from '#src/server/services/journal-metadata-source.ts';

export const prerender = false;

/** The mailbox in MAIL_FROM ("IECPA <no-reply@…>" → no-reply@…): the depositor's contact in the batch head. */
function depositorEmail(): string {
  const from = getEnv().MAIL_FROM;
  return from.match(/<([^>]+)>/)?.[1] ?? from;
}

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
