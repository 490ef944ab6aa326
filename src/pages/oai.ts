import type { APIRoute } from 'astro';
import { handleOaiRequest } from '#src/lib/journal-metadata/oai-pmh.ts';
import { getDb } from '#src/server/db.ts';
import { journalInfo } from '#src/server/services/journal-articles.ts';
import { journalOaiSource, siteOrigin } from '#src/server/services/journal-metadata-source.ts';

export const prerender = false;

/** The repository's contact in Identify (OAI-PMH 4.2 requires one adminEmail). */
const ADMIN_EMAIL = 'journal@iecpa.org';

/** Every parameter with all its values, as the handler reads them (repeated arguments are badArgument). */
function paramsOf(search: URLSearchParams): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [key, value] of search) {
    const values = out[key] ?? [];
    values.push(value);
    out[key] = values;
  }
  return out;
}

async function answer(params: Record<string, string[]>): Promise<Response> {
  const { db } = await getDb();
  const origin = siteOrigin();
  const response = await handleOaiRequest(params, journalOaiSource(db, origin), {
    baseUrl: `${origin}/oai`,
    repositoryName: 'IECPA Journal',
    adminEmails: [ADMIN_EMAIL],
    host: new URL(origin).hostname,
    journal: journalInfo(origin),
  });
  if (response.error) console.error('[oai] the data source failed', response.error);
  return new Response(response.xml, { status: response.status, headers: response.headers });
}

/** OAI-PMH 2.0 (section 3.1.1: requests by GET with a query string, or POST with a form body). */
export const GET: APIRoute = ({ url }) => answer(paramsOf(url.searchParams));

export const POST: APIRoute = async ({ request }) => {
  const type = request.headers.get('content-type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded')) {
    return answer({}); // not a form: read as a request without a verb (badVerb)
  }
  return answer(paramsOf(new URLSearchParams(await request.text())));
};
