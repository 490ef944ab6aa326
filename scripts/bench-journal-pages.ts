/**
 * `npm run bench:journal [-- --no-build] [--duration 10] [--connections 50]`: saturation throughput of a
 * journal article page and the journal's index at 50 connections next to /api/health in the same run
 * (issue 17's target: the article page at >= 60 % of /api/health), on the built portal with the demo seed,
 * each as visitors ask for it and `rendered` each time (scripts/bench-pages-lib.ts).
 */
import { desc } from 'drizzle-orm';
import { journalArticles } from '#db/schema/index.ts';
import { startServer, untilServerSettled } from '#test/helpers/server.ts';
import { benchPages, pageBenchSetUp } from './bench-pages-lib.ts';

const options = pageBenchSetUp();
const server = await startServer();
try {
  await untilServerSettled(server);
  const [article] = await server.db.db
    .select({ id: journalArticles.id })
    .from(journalArticles)
    .orderBy(desc(journalArticles.publishedAt))
    .limit(1);
  if (!article) throw new Error('the demo seed published no article');
  const articlePath = `/journal/articles/${article.id}`;
  await benchPages(
    server.url,
    [
      { name: 'article page', path: articlePath },
      { name: 'article page, rendered', path: articlePath, rendered: true },
      { name: 'journal index', path: '/journal' },
      { name: 'journal index, rendered', path: '/journal', rendered: true },
    ],
    options,
    0.6,
    ['article page'],
  );
} finally {
  await server.stop();
}
