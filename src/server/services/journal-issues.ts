/**
 * Optional issues (issue 17, "Publication"): articles are published continuously and editors may later
 * gather published articles into an issue (volume, number, year, cover text; one issue per volume and
 * number). While an issue is being gathered only editors see it; publishing it makes it public, shows
 * "Vol N, No M (year)" on its articles and puts volume and issue into their citations, JATS, Crossref and
 * OAI-PMH records (each article's `updatedAt` moves, so harvesters and the view cache see the change). A
 * published issue's contents are part of the record: articles are added and removed only before.
 */
import { and, asc, count, desc, eq, inArray, isNotNull, isNull } from 'drizzle-orm';
import type { Db, DbOrTx } from '#db/client.ts';
import { journalArticles, journalIssues } from '#db/schema/index.ts';
import { crossrefIssueDeposit } from '#src/lib/journal-metadata/crossref.ts';
import type { ArticleMetadata } from '#src/lib/journal-metadata/types.ts';
import { writeAudit } from '../audit.ts';
import type { SessionUser } from '../auth/session.ts';
import { getEnv } from '../env.ts';
import { newId } from '../ids.ts';
import { type Refusal, refuse } from '../refusal.ts';
import type { RequestMeta, ServiceDeps } from './deps.ts';
import { type ArticleView, journalInfo, withLinks } from './journal-articles.ts';
import { journalMail } from './journal-mail.ts';
import { toArticleMetadata } from './journal-metadata-source.ts';
import type { IssueInput } from './journal-schemas.ts';
import { emailOf, loadSubmission } from './journal-submissions.ts';

type Actor = Pick<SessionUser, 'id'>;
export type IssueRow = typeof journalIssues.$inferSelect;

/** "Vol 1, No 2 (2026)": how an article page and the issue list name an issue. */
export function issueLabel(issue: { volume: number; number: number; year: number }): string {
  return `Vol ${issue.volume}, No ${issue.number} (${issue.year})`;
}

const NO_SUCH_ISSUE = 'No such issue.';

/** Creates an issue (unpublished, empty). Volume and number together are unique. */
export async function createIssue(
  db: Db,
  editor: Actor,
  input: IssueInput,
  meta: RequestMeta,
  now = Date.now(),
): Promise<{ ok: true; issueId: string } | Refusal> {
  return db.transaction(async (tx) => {
    const [exists] = await tx
      .select({ id: journalIssues.id })
      .from(journalIssues)
      .where(and(eq(journalIssues.volume, input.volume), eq(journalIssues.number, input.number)));
    if (exists) {
      const message = `Volume ${input.volume}, number ${input.number} exists already.`;
      return refuse('CONFLICT', message, { number: message });
    }
    const issueId = newId();
    await tx.insert(journalIssues).values({ id: issueId, ...input, createdAt: now, publishedAt: null });
    await writeAudit(
      tx,
      {
        actorId: editor.id,
        action: 'journal.issue-created',
        subjectId: issueId,
        ipAddress: meta.ipAddress,
        details: { volume: input.volume, number: input.number, year: input.year },
      },
      now,
    );
    return { ok: true as const, issueId };
  });
}

async function unpublishedIssue(tx: DbOrTx, issueId: string): Promise<IssueRow | Refusal> {
  const [issue] = await tx.select().from(journalIssues).where(eq(journalIssues.id, issueId));
  if (!issue) return refuse('NOT_FOUND', NO_SUCH_ISSUE);
  if (issue.publishedAt !== null) {
    return refuse('CONFLICT', 'This issue is published: its contents are part of the record and stay as they are.');
  }
  return issue;
}

const isRefusal = <T>(value: T | Refusal): value is Refusal =>
  typeof value === 'object' && value !== null && (value as Refusal).ok === false;

/** Puts a published article into an unpublished issue (an article belongs to one issue at most). */
export async function addArticleToIssue(
  db: Db,
  editor: Actor,
  input: { issueId: string; articleId: string },
  meta: RequestMeta,
  now = Date.now(),
): Promise<{ ok: true } | Refusal> {
  return db.transaction(async (tx) => {
    const issue = await unpublishedIssue(tx, input.issueId);
    if (isRefusal(issue)) return issue;
    const [article] = await tx
      .select({ id: journalArticles.id, issueId: journalArticles.issueId })
      .from(journalArticles)
      .where(eq(journalArticles.id, input.articleId));
    if (!article)
      return refuse('NOT_FOUND', 'No such published article.', { articleId: 'Choose a published article.' });
    if (article.issueId === issue.id) return refuse('CONFLICT', 'That article is in this issue already.');
    if (article.issueId !== null) {
      const [other] = await tx.select().from(journalIssues).where(eq(journalIssues.id, article.issueId));
      return refuse(
        'CONFLICT',
        `That article is in ${other ? issueLabel(other) : 'another issue'} already; an article appears in one issue.`,
        { articleId: 'Choose an article that is in no issue.' },
      );
    }
    // Only the issue column changes: the issue is not public yet, so readers' records have not changed.
    await tx.update(journalArticles).set({ issueId: issue.id }).where(eq(journalArticles.id, article.id));
    await writeAudit(
      tx,
      {
        actorId: editor.id,
        action: 'journal.issue-article-added',
        subjectId: issue.id,
        ipAddress: meta.ipAddress,
        details: { articleId: article.id },
      },
      now,
    );
    return { ok: true as const };
  });
}

/** Takes an article out of an unpublished issue. */
export async function removeArticleFromIssue(
  db: Db,
  editor: Actor,
  input: { issueId: string; articleId: string },
  meta: RequestMeta,
  now = Date.now(),
): Promise<{ ok: true } | Refusal> {
  return db.transaction(async (tx) => {
    const issue = await unpublishedIssue(tx, input.issueId);
    if (isRefusal(issue)) return issue;
    const removed = await tx
      .update(journalArticles)
      .set({ issueId: null })
      .where(and(eq(journalArticles.id, input.articleId), eq(journalArticles.issueId, issue.id)))
      .returning({ id: journalArticles.id });
    if (removed.length === 0) return refuse('NOT_FOUND', 'That article is not in this issue.');
    await writeAudit(
      tx,
      {
        actorId: editor.id,
        action: 'journal.issue-article-removed',
        subjectId: issue.id,
        ipAddress: meta.ipAddress,
        details: { articleId: input.articleId },
      },
      now,
    );
    return { ok: true as const };
  });
}

/**
 * Publishes an issue that holds at least one article: it becomes public and its articles' records change
 * (volume and issue in every format). The submitting authors of its articles are mailed.
 */
export async function publishIssue(
  db: Db,
  deps: ServiceDeps,
  editor: Actor,
  issueId: string,
  meta: RequestMeta,
  now = Date.now(),
): Promise<{ ok: true } | Refusal> {
  const outcome = await db.transaction(async (tx) => {
    const issue = await unpublishedIssue(tx, issueId);
    if (isRefusal(issue)) return issue;
    const articles = await tx
      .select({ id: journalArticles.id, submissionId: journalArticles.submissionId })
      .from(journalArticles)
      .where(eq(journalArticles.issueId, issue.id));
    if (articles.length === 0) return refuse('PRECONDITION_FAILED', 'Add at least one article before publishing.');
    const claimed = await tx
      .update(journalIssues)
      .set({ publishedAt: now })
      .where(and(eq(journalIssues.id, issue.id), isNull(journalIssues.publishedAt)))
      .returning({ id: journalIssues.id });
    if (claimed.length === 0) return refuse('CONFLICT', 'This issue was published meanwhile.');
    await tx
      .update(journalArticles)
      .set({ updatedAt: now })
      .where(
        inArray(
          journalArticles.id,
          articles.map((a) => a.id),
        ),
      );
    await writeAudit(
      tx,
      {
        actorId: editor.id,
        action: 'journal.issue-published',
        subjectId: issue.id,
        ipAddress: meta.ipAddress,
        details: { articles: articles.length },
      },
      now,
    );
    return { ok: true as const, issue, articles };
  });
  if (!outcome.ok) return outcome;
  const submitters = new Set<string>();
  for (const article of outcome.articles) {
    if (!article.submissionId) continue;
    const submission = await loadSubmission(db, article.submissionId);
    if (submission) submitters.add(submission.submitterId);
  }
  for (const userId of submitters) {
    const to = await emailOf(db, userId);
    if (to)
      await deps.mailer.send(db, {
        to,
        ...journalMail.issuePublished(deps.siteUrl, outcome.issue.id, issueLabel(outcome.issue)),
      });
  }
  return { ok: true };
}

export interface IssueSummary {
  id: string;
  volume: number;
  number: number;
  year: number;
  label: string;
  published: boolean;
  publishedAt: number | null;
  articleCount: number;
}

/** Issues, newest volume and number first: published ones only, or every one for editors. */
export async function listIssues(db: DbOrTx, options: { includeUnpublished: boolean }): Promise<IssueSummary[]> {
  const rows = await db
    .select({ issue: journalIssues, articleCount: count(journalArticles.id) })
    .from(journalIssues)
    .leftJoin(journalArticles, eq(journalArticles.issueId, journalIssues.id))
    .where(options.includeUnpublished ? undefined : isNotNull(journalIssues.publishedAt))
    .groupBy(journalIssues.id)
    .orderBy(desc(journalIssues.volume), desc(journalIssues.number));
  return rows.map(({ issue, articleCount }) => ({
    id: issue.id,
    volume: issue.volume,
    number: issue.number,
    year: issue.year,
    label: issueLabel(issue),
    published: issue.publishedAt !== null,
    publishedAt: issue.publishedAt,
    articleCount,
  }));
}

export interface IssueView extends IssueSummary {
  coverText: string;
  articles: ArticleView[];
}

/** An issue with its articles in publication order; null when there is none (or it is not published). */
export async function getIssue(
  db: DbOrTx,
  issueId: string,
  options: { includeUnpublished: boolean },
): Promise<IssueView | null> {
  const [issue] = await db.select().from(journalIssues).where(eq(journalIssues.id, issueId));
  if (!issue || (issue.publishedAt === null && !options.includeUnpublished)) return null;
  const rows = await db
    .select()
    .from(journalArticles)
    .where(eq(journalArticles.issueId, issue.id))
    .orderBy(asc(journalArticles.publishedAt), asc(journalArticles.id));
  return {
    id: issue.id,
    volume: issue.volume,
    number: issue.number,
    year: issue.year,
    label: issueLabel(issue),
    published: issue.publishedAt !== null,
    publishedAt: issue.publishedAt,
    articleCount: rows.length,
    coverText: issue.coverText,
    articles: await withLinks(db, rows),
  };
}

/** Published articles in no issue (what an editor may add to one), newest first. */
export async function articlesWithoutIssue(db: DbOrTx) {
  return db
    .select({ id: journalArticles.id, title: journalArticles.title, doi: journalArticles.doi })
    .from(journalArticles)
    .where(isNull(journalArticles.issueId))
    .orderBy(desc(journalArticles.publishedAt))
    .limit(500);
}

/**
 * The issue's Crossref deposit (schema 5.3.1, one journal element with the issue and its articles). Made
 * for an unpublished issue too, so editors can check it before publishing: each article is given the issue.
 */
export async function issueDeposit(
  db: DbOrTx,
  issueId: string,
  origin: string,
  now = Date.now(),
): Promise<{ ok: true; xml: string; label: string } | Refusal> {
  const issue = await getIssue(db, issueId, { includeUnpublished: true });
  if (!issue) return refuse('NOT_FOUND', NO_SUCH_ISSUE);
  if (issue.articles.length === 0) return refuse('PRECONDITION_FAILED', 'The issue has no articles to deposit.');
  const journal = journalInfo(origin);
  const number = { volume: issue.volume, number: issue.number, year: issue.year };
  const articles: ArticleMetadata[] = issue.articles.map((a) => ({ ...toArticleMetadata(a, journal), issue: number }));
  const xml = crossrefIssueDeposit(number, articles, journal, {
    depositor: {
      name: 'IECPA Journal',
      email: depositorEmail(),
      registrant: 'International External Counterpulsation Association',
    },
    now,
  });
  return { ok: true, xml, label: `iecpa-vol${issue.volume}-no${issue.number}` };
}

/** The mailbox in MAIL_FROM ("IECPA <no-reply@…>" → no-reply@…): the depositor's contact in a batch head. */
export function depositorEmail(): string {
  const from = getEnv().MAIL_FROM;
  return from.match(/<([^>]+)>/)?.[1] ?? from;
}
