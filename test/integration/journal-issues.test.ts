import { rmSync } from 'node:fs';
import { asc, eq } from 'drizzle-orm';
import { afterAll, expect, test, vi } from 'vitest';
import { auditLog, journalArticles } from '#db/schema/index.ts';
import { formatCitation } from '#src/lib/journal-metadata/citations.ts';
import { jatsArticle } from '#src/lib/journal-metadata/jats.ts';
import { journalInfo } from '#src/server/services/journal-articles.ts';
import { issueDeposit } from '#src/server/services/journal-issues.ts';
import { articleMetadata } from '#src/server/services/journal-metadata-source.ts';
import { expectCrossrefBatch } from '#test/helpers/crossref-rules.ts';
import { countAllRows, useTestDb } from '#test/helpers/db.ts';
import { anonymousCaller } from '#test/helpers/factories.ts';
import { mailsTo, makeJournalCast, publishedThroughWorkflow, refusal } from '#test/helpers/journal.ts';
import { child, childrenNamed, parseXml } from '#test/helpers/xml-structure.ts';

const uploadDir = vi.hoisted(() => {
  const dir = `${process.cwd()}/test-results/uploads/journal-issues-${process.pid}-${Date.now()}`;
  process.env.UPLOAD_DIR = dir;
  return dir;
});
afterAll(() => rmSync(uploadDir, { recursive: true, force: true }));

const handle = useTestDb();
const ORIGIN = 'https://portal.example';

/**
 * Issues (issue 17, Publication): an editor creates one (volume + number unique), gathers published
 * articles, publishes it; only then it is public and "Vol N, No M (year)" reaches the article, its citation,
 * JATS and Crossref records; the authors are mailed; a published issue's contents no longer change. Every
 * bad input is refused with a clear message and changes nothing.
 */
test('an editor gathers published articles into an issue and publishes it', async () => {
  const cast = await makeJournalCast(handle.db);
  const first = await publishedThroughWorkflow(cast);
  const second = await publishedThroughWorkflow(cast, { title: 'Counterpulsation in refractory angina' });
  const { editorCaller } = cast;
  const reader = anonymousCaller(handle.db);

  const issueId = await editorCaller.journal.createIssue({ volume: 1, number: 1, year: 2026, coverText: 'First.' });

  // Refused, and nothing changes: a second Vol 1 No 1, nonsense numbers, an article twice or unknown.
  const before = await countAllRows(handle);
  expect(await refusal(editorCaller.journal.createIssue({ volume: 1, number: 1, year: 2027, coverText: '' }))).toEqual({
    code: 'CONFLICT',
    message: 'Volume 1, number 1 exists already.',
  });
  for (const bad of [
    { volume: 0, number: 1, year: 2026 },
    { volume: 1, number: 2.5, year: 2026 },
    { volume: 1, number: 2, year: 1999 },
    { volume: 'one', number: 2, year: 2026 },
  ]) {
    expect((await refusal(editorCaller.journal.createIssue(bad as never))).code).toBe('BAD_REQUEST');
  }
  expect(await refusal(editorCaller.journal.addToIssue({ issueId, articleId: 'no-such-article' }))).toMatchObject({
    code: 'NOT_FOUND',
  });
  expect(await refusal(editorCaller.journal.publishIssue({ issueId }))).toEqual({
    code: 'PRECONDITION_FAILED',
    message: 'Add at least one article before publishing.',
  });
  expect(await countAllRows(handle)).toEqual(before);

  await editorCaller.journal.addToIssue({ issueId, articleId: first.articleId });
  await editorCaller.journal.addToIssue({ issueId, articleId: second.articleId });
  expect((await refusal(editorCaller.journal.addToIssue({ issueId, articleId: first.articleId }))).code).toBe(
    'CONFLICT',
  );
  const otherId = await editorCaller.journal.createIssue({ volume: 1, number: 2, year: 2026, coverText: '' });
  expect(await refusal(editorCaller.journal.addToIssue({ issueId: otherId, articleId: first.articleId }))).toEqual({
    code: 'CONFLICT',
    message: 'That article is in Vol 1, No 1 (2026) already; an article appears in one issue.',
  });
  await editorCaller.journal.removeFromIssue({ issueId, articleId: second.articleId });
  expect((await refusal(editorCaller.journal.removeFromIssue({ issueId, articleId: second.articleId }))).code).toBe(
    'NOT_FOUND',
  );
  await editorCaller.journal.addToIssue({ issueId, articleId: second.articleId });

  // Not public yet: readers see neither the issue nor a volume on the articles.
  expect(await reader.journal.issues()).toEqual([]);
  expect((await refusal(reader.journal.issue({ issueId }))).code).toBe('NOT_FOUND');
  expect((await reader.journal.article({ articleId: first.articleId })).issue).toBeNull();
  const [{ updatedAt: before1 } = { updatedAt: 0 }] = await handle.db
    .select({ updatedAt: journalArticles.updatedAt })
    .from(journalArticles)
    .where(eq(journalArticles.id, first.articleId));

  await editorCaller.journal.publishIssue({ issueId });

  const list = await reader.journal.issues();
  expect(list.map((i) => [i.label, i.articleCount])).toEqual([['Vol 1, No 1 (2026)', 2]]);
  const issue = await reader.journal.issue({ issueId });
  expect(issue.coverText).toBe('First.');
  expect(issue.articles.map((a) => a.id)).toEqual([first.articleId, second.articleId]);
  const article = await reader.journal.article({ articleId: first.articleId });
  expect(article.issue).toEqual({ id: issueId, volume: 1, number: 1, year: 2026 });
  expect(article.updatedAt).toBeGreaterThan(before1);

  // The article's records carry volume and issue.
  const meta = await articleMetadata(handle.db, first.articleId, ORIGIN);
  if (!meta) throw new Error('no metadata');
  const journal = journalInfo(ORIGIN);
  expect(formatCitation(meta, journal, 'vancouver')).toMatch(/;1\(1\):e\d{7}\. doi:/);
  const jats = jatsArticle(meta, journal);
  expect(jats).toContain('<volume>1</volume>');
  expect(jats).toContain('<issue>1</issue>');

  // The issue's Crossref deposit: the schema's rules, the issue once, both articles.
  const deposit = await issueDeposit(handle.db, issueId, ORIGIN, Date.UTC(2026, 11, 4, 9, 30, 0));
  if (!deposit.ok) throw new Error(deposit.message);
  const body = expectCrossrefBatch(parseXml(deposit.xml), '20261204093000');
  const journalElement = child(body, 'journal');
  const issueElement = child(journalElement, 'journal_issue');
  expect(child(child(issueElement, 'journal_volume'), 'volume').text).toBe('1');
  expect(child(issueElement, 'issue').text).toBe('1');
  expect(childrenNamed(journalElement, 'journal_article').map((a) => child(child(a, 'doi_data'), 'doi').text)).toEqual([
    first.doi,
    second.doi,
  ]);
  expect((await issueDeposit(handle.db, otherId, ORIGIN)).ok).toBe(false);

  // The author is mailed once (both articles are theirs); the acts are audited.
  const mails = (await mailsTo(handle.db, cast.author.email)).filter((m) => m.subject.includes('Vol 1, No 1'));
  expect(mails).toHaveLength(1);
  expect(mails[0]?.textBody).toContain(`/journal/issues/${issueId}`);
  const audited = await handle.db
    .select({ action: auditLog.action })
    .from(auditLog)
    .where(eq(auditLog.subjectId, issueId))
    .orderBy(asc(auditLog.id));
  expect(audited.map((a) => a.action)).toEqual([
    'journal.issue-created',
    'journal.issue-article-added',
    'journal.issue-article-added',
    'journal.issue-article-removed',
    'journal.issue-article-added',
    'journal.issue-published',
  ]);

  // A published issue's contents are part of the record.
  const after = await countAllRows(handle);
  for (const attempt of [
    editorCaller.journal.removeFromIssue({ issueId, articleId: first.articleId }),
    editorCaller.journal.publishIssue({ issueId }),
  ]) {
    expect(await refusal(attempt)).toEqual({
      code: 'CONFLICT',
      message: 'This issue is published: its contents are part of the record and stay as they are.',
    });
  }
  expect(await countAllRows(handle)).toEqual(after);
});
