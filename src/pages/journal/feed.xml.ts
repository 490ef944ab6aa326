import type { APIRoute } from 'astro';
import { desc } from 'drizzle-orm';
import { journalArticles } from '#db/schema/index.ts';
import { ATOM_CONTENT_TYPE, atomFeed } from '#src/lib/journal-metadata/feed.ts';
import { getDb } from '#src/server/db.ts';
import { journalInfo, withLinks } from '#src/server/services/journal-articles.ts';
import { siteOrigin, toArticleMetadata } from '#src/server/services/journal-metadata-source.ts';

export const prerender = false;

/** Articles in the feed: the newest, as feed readers poll for what is new. */
const FEED_SIZE = 50;

/** The Atom feed of newly published articles. */
export const GET: APIRoute = async () => {
  const { db } = await getDb();
  const origin = siteOrigin();
  const journal = journalInfo(origin);
  const rows = await db.select().from(journalArticles).orderBy(desc(journalArticles.publishedAt)).limit(FEED_SIZE);
  const articles = (await withLinks(db, rows)).map((a) => toArticleMetadata(a, journal));
  const xml = atomFeed(articles, journal, { selfUrl: `${origin}/journal/feed.xml`, pageUrl: `${origin}/journal` });
  return new Response(xml, { headers: { 'Content-Type': ATOM_CONTENT_TYPE, 'Cache-Control': 'public, max-age=300' } });
};
