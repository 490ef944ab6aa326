/**
 * Published articles: publication with a DOI (continuous: an article appears when it is published), the
 * reader's view, notices (corrections and retractions are linked notices, never edits: a retracted article
 * stays online, marked), optional issues, and search (FTS5 over published articles only: a row is written
 * when an article is published, never for a submission).
 */
import { and, asc, desc, eq, inArray, isNotNull, max, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '#db/client.ts';
import {
  type JournalArticleType,
  journalArticles,
  journalFiles,
  journalIssues,
  journalNotices,
  journalSubmissions,
} from '#db/schema/index.ts';
import type { ArticlePerson, JournalInfo } from '#src/lib/journal-metadata/types.ts';
import { writeAudit } from '../audit.ts';
import type { SessionUser } from '../auth/session.ts';
import { getEnv } from '../env.ts';
import { newId } from '../ids.ts';
import { markdownToPlainText } from '../markdown.ts';
import { type Refusal, refuse } from '../refusal.ts';
import { readStoredFile } from '../uploads.ts';
import type { RequestMeta, ServiceDeps } from './deps.ts';
import { isChief } from './journal-editorial.ts';
import { journalMail } from './journal-mail.ts';
import type { SearchInput } from './journal-schemas.ts';
import {
  addEvent,
  emailOf,
  JOURNAL_FILES_FOLDER,
  loadAuthors,
  loadSubmission,
  parseAbstract,
  type StructuredAbstractText,
} from './journal-submissions.ts';

export const JOURNAL_TITLE = 'IECPA Journal';
export const DEFAULT_LICENCE_URL = 'https://creativecommons.org/licenses/by/4.0/';

export const ARTICLE_TYPE_LABELS: Record<JournalArticleType, string> = {
  'original-research': 'Original research',
  'case-series': 'Case series',
  review: 'Review',
  'short-communication': 'Short communication',
  letter: 'Letter',
  translation: 'Translation',
};

export const LANGUAGE_NAMES: Record<string, string> = { en: 'English', zh: 'Chinese', ru: 'Russian' };

export function languageName(code: string): string {
  return LANGUAGE_NAMES[code] ?? new Intl.DisplayNames(['en'], { type: 'language' }).of(code) ?? code;
}

export function journalInfo(origin: string): JournalInfo {
  return {
    title: JOURNAL_TITLE,
    abbreviation: 'IECPA J',
    publisher: 'International External Counterpulsation Association',
    doiPrefix: getEnv().DOI_PREFIX,
    origin,
  };
}

/** The stable DOI pattern: `<prefix>/iecpa.<year>.<seq, 3+ digits>`. */
export function articleDoi(prefix: string, year: number, seq: number): string {
  return `${prefix}/iecpa.${year}.${String(seq).padStart(3, '0')}`;
}

/** The electronic article number (continuous publication has no pages): e<year><seq, 3+ digits>. */
export function articleNumber(year: number, seq: number): string {
  return `e${year}${String(seq).padStart(3, '0')}`;
}

export type ArticleRow = typeof journalArticles.$inferSelect;

export interface OriginalInfo {
  title: string;
  titleLanguage: string;
  abstract: string;
  citation: string;
  doi: string;
  url: string;
  rights: string;
}

/** A published article's content as written at publication (journal_articles), and where it came from. */
export interface NewArticle {
  submissionId: string | null;
  translationId: string | null;
  type: JournalArticleType;
  title: string;
  language: string;
  abstract: StructuredAbstractText;
  keywords: string[];
  authors: ArticlePerson[];
  translators: ArticlePerson[];
  bodyMarkdown: string;
  references: string[];
  competingInterests: string;
  deviceManufacturerTies: string;
  funding: string;
  receivedAt: number;
  revisedAt: number | null;
  acceptedAt: number;
  pdfStoredName: string | null;
  translationOfArticleId: string | null;
  original: OriginalInfo | null;
}

/**
 * Inserts a published article with the next DOI of its year and its search row. Inside the caller's
 * transaction (writes are serialised, so max(seq)+1 cannot be taken twice; the unique index is the guard).
 */
export async function insertArticle(
  tx: DbOrTx,
  article: NewArticle,
  now: number,
): Promise<{ id: string; doi: string }> {
  const year = new Date(now).getUTCFullYear();
  const [last] = await tx
    .select({ seq: max(journalArticles.seq) })
    .from(journalArticles)
    .where(eq(journalArticles.year, year));
  const seq = (last?.seq ?? 0) + 1;
  const id = newId();
  const doi = articleDoi(getEnv().DOI_PREFIX, year, seq);
  await tx.insert(journalArticles).values({
    id,
    submissionId: article.submissionId,
    translationId: article.translationId,
    doi,
    year,
    seq,
    type: article.type,
    title: article.title,
    language: article.language,
    abstractJson: JSON.stringify(article.abstract),
    keywordsJson: JSON.stringify(article.keywords),
    authorsJson: JSON.stringify(article.authors),
    translatorsJson: JSON.stringify(article.translators),
    bodyMarkdown: article.bodyMarkdown,
    referencesJson: JSON.stringify(article.references),
    competingInterests: article.competingInterests,
    deviceManufacturerTies: article.deviceManufacturerTies,
    funding: article.funding,
    receivedAt: article.receivedAt,
    revisedAt: article.revisedAt,
    acceptedAt: article.acceptedAt,
    publishedAt: now,
    updatedAt: now,
    pdfStoredName: article.pdfStoredName,
    issueId: null,
    translationOfArticleId: article.translationOfArticleId,
    originalJson: article.original ? JSON.stringify(article.original) : null,
    retracted: false,
    licenceUrl: DEFAULT_LICENCE_URL,
  });
  const abstractText = Object.values(article.abstract).join(' ');
  await tx.run(
    sql`insert into journal_search (article_id, title, abstract, keywords, body, authors) values (${id}, ${article.title}, ${abstractText}, ${article.keywords.join(' ')}, ${markdownToPlainText(article.bodyMarkdown)}, ${article.authors.map((a) => `${a.givenNames} ${a.surname}`).join(' ')})`,
  );
  if (article.translationOfArticleId) {
    // The original gains a translation: its record changed (OAI-PMH datestamp, hasTranslation).
    await tx
      .update(journalArticles)
      .set({ updatedAt: now })
      .where(eq(journalArticles.id, article.translationOfArticleId));
  }
  return { id, doi };
}

type Actor = Pick<SessionUser, 'id' | 'email' | 'roles'>;

/** Publishes a submission in production: its full text must be there; the PDF is optional. */
export async function publishSubmission(
  db: Db,
  deps: ServiceDeps,
  editor: Actor,
  submissionId: string,
  meta: RequestMeta,
  now = Date.now(),
): Promise<{ ok: true; articleId: string; doi: string } | Refusal> {
  const outcome = await db.transaction(async (tx) => {
    const row = await loadSubmission(tx, submissionId);
    if (!row || row.status === 'draft') return refuse('NOT_FOUND', 'No such submission.');
    if (row.handlingEditorId !== editor.id && !(await isChief(tx, editor.id))) {
      return refuse('FORBIDDEN', 'Only the handling editor (or the editor-in-chief) may do this.');
    }
    if (row.status !== 'production') return refuse('CONFLICT', 'Only a submission in production can be published.');
    if (!row.bodyMarkdown.trim()) return refuse('PRECONDITION_FAILED', 'Add the full text in production first.');
    const authors = await loadAuthors(tx, row.id);
    const [pdf] = await tx
      .select({ storedName: journalFiles.storedName })
      .from(journalFiles)
      .where(and(eq(journalFiles.submissionId, row.id), eq(journalFiles.kind, 'article-pdf')));
    const updated = await tx
      .update(journalSubmissions)
      .set({ status: 'published', updatedAt: now })
      .where(and(eq(journalSubmissions.id, row.id), eq(journalSubmissions.status, 'production')))
      .returning({ id: journalSubmissions.id });
    if (updated.length === 0) return refuse('CONFLICT', 'This submission was already published.');
    const article = await insertArticle(
      tx,
      {
        submissionId: row.id,
        translationId: null,
        type: row.type,
        title: row.title,
        language: row.language,
        abstract: parseAbstract(row.abstractJson),
        keywords: JSON.parse(row.keywordsJson) as string[],
        authors: authors.map((a) => ({
          givenNames: a.givenNames,
          surname: a.surname,
          ...(a.orcid ? { orcid: a.orcid } : {}),
          ...(a.affiliation ? { affiliation: a.affiliation } : {}),
          ...(a.country ? { country: a.country } : {}),
        })),
        translators: [],
        bodyMarkdown: row.bodyMarkdown,
        references: JSON.parse(row.referencesJson) as string[],
        competingInterests: row.competingInterests,
        deviceManufacturerTies: row.deviceManufacturerTies,
        funding: row.funding,
        receivedAt: row.submittedAt ?? row.createdAt,
        revisedAt: row.revisedAt,
        acceptedAt: row.acceptedAt ?? now,
        pdfStoredName: pdf?.storedName ?? null,
        translationOfArticleId: null,
        original: null,
      },
      now,
    );
    await addEvent(
      tx,
      {
        submissionId: row.id,
        actorId: editor.id,
        kind: 'published',
        message: `Published with the DOI ${article.doi}.`,
        authorVisible: true,
      },
      now,
    );
    await writeAudit(
      tx,
      {
        actorId: editor.id,
        action: 'journal.published',
        subjectId: row.id,
        ipAddress: meta.ipAddress,
        details: { articleId: article.id, doi: article.doi },
      },
      now,
    );
    return { ok: true as const, ...article, submitterId: row.submitterId };
  });
  if (!outcome.ok) return outcome;
  await deps.mailer.send(db, {
    to: await emailOf(db, outcome.submitterId),
    ...journalMail.published(deps.siteUrl, outcome.id, outcome.doi),
  });
  return { ok: true, articleId: outcome.id, doi: outcome.doi };
}

export interface ArticleNoticeView {
  id: string;
  kind: 'correction' | 'retraction';
  text: string;
  publishedAt: number;
}

/** What the article page reads: the article as it was published (NewArticle's content) and its links. */
export interface ArticleView
  extends Omit<NewArticle, 'submissionId' | 'translationId' | 'pdfStoredName' | 'translationOfArticleId'> {
  id: string;
  doi: string;
  publishedAt: number;
  updatedAt: number;
  hasPdf: boolean;
  articleNumber: string;
  licenceUrl: string;
  retracted: boolean;
  notices: ArticleNoticeView[];
  /** The published issue the article is in, if any. */
  issue: { id: string; volume: number; number: number; year: number } | null;
  /** The IECPA original of a translation. */
  translationOf: { id: string; title: string; doi: string; language: string } | null;
  /** Translations of this article. */
  translations: { id: string; title: string; doi: string; language: string }[];
}

export function toArticleView(
  row: ArticleRow,
  extra: Pick<ArticleView, 'notices' | 'issue' | 'translationOf' | 'translations'>,
): ArticleView {
  return {
    id: row.id,
    doi: row.doi,
    type: row.type,
    title: row.title,
    language: row.language,
    abstract: parseAbstract(row.abstractJson),
    keywords: JSON.parse(row.keywordsJson) as string[],
    authors: JSON.parse(row.authorsJson) as ArticlePerson[],
    translators: JSON.parse(row.translatorsJson) as ArticlePerson[],
    bodyMarkdown: row.bodyMarkdown,
    references: JSON.parse(row.referencesJson) as string[],
    competingInterests: row.competingInterests,
    deviceManufacturerTies: row.deviceManufacturerTies,
    funding: row.funding,
    receivedAt: row.receivedAt,
    revisedAt: row.revisedAt,
    acceptedAt: row.acceptedAt,
    publishedAt: row.publishedAt,
    updatedAt: row.updatedAt,
    hasPdf: row.pdfStoredName !== null,
    articleNumber: articleNumber(row.year, row.seq),
    licenceUrl: row.licenceUrl,
    retracted: row.retracted,
    original: row.originalJson ? (JSON.parse(row.originalJson) as OriginalInfo) : null,
    ...extra,
  };
}

/**
 * Article views by id and `updatedAt`: every change a reader can see (a notice, a translation, an issue, the
 * PDF) moves `updatedAt`, so a view is never stale, and a page read costs one indexed lookup instead of five
 * queries. Bounded; the least recently used goes first.
 */
const viewCache = new Map<string, ArticleView>();
const VIEW_CACHE_MAX = 500;

/** Everything the article page shows, or null. */
export async function getArticle(db: DbOrTx, id: string): Promise<ArticleView | null> {
  const [head] = await db
    .select({ updatedAt: journalArticles.updatedAt })
    .from(journalArticles)
    .where(eq(journalArticles.id, id));
  if (!head) return null;
  const key = `${id}\u0000${head.updatedAt}`;
  const cached = viewCache.get(key);
  if (cached) {
    viewCache.delete(key);
    viewCache.set(key, cached);
    return cached;
  }
  const [row] = await db.select().from(journalArticles).where(eq(journalArticles.id, id));
  if (!row) return null;
  const view = (await withLinks(db, [row]))[0] ?? null;
  if (view && view.updatedAt === head.updatedAt) {
    viewCache.set(key, view);
    if (viewCache.size > VIEW_CACHE_MAX) {
      const oldest = viewCache.keys().next().value;
      if (oldest !== undefined) viewCache.delete(oldest);
    }
  }
  return view;
}

/** The article views of rows, with notices, issues and translation links read in one query each. */
export async function withLinks(db: DbOrTx, rows: ArticleRow[]): Promise<ArticleView[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const notices = await db
    .select()
    .from(journalNotices)
    .where(inArray(journalNotices.articleId, ids))
    .orderBy(asc(journalNotices.publishedAt));
  const translations = await db
    .select({
      id: journalArticles.id,
      title: journalArticles.title,
      doi: journalArticles.doi,
      language: journalArticles.language,
      of: journalArticles.translationOfArticleId,
    })
    .from(journalArticles)
    .where(inArray(journalArticles.translationOfArticleId, ids));
  const originalIds = rows.map((r) => r.translationOfArticleId).filter((x): x is string => x !== null);
  const originals =
    originalIds.length === 0
      ? []
      : await db
          .select({
            id: journalArticles.id,
            title: journalArticles.title,
            doi: journalArticles.doi,
            language: journalArticles.language,
          })
          .from(journalArticles)
          .where(inArray(journalArticles.id, originalIds));
  const issueIds = rows.map((r) => r.issueId).filter((x): x is string => x !== null);
  const issues =
    issueIds.length === 0
      ? []
      : await db
          .select()
          .from(journalIssues)
          .where(and(inArray(journalIssues.id, issueIds), isNotNull(journalIssues.publishedAt)));
  return rows.map((row) => {
    const issue = issues.find((i) => i.id === row.issueId);
    return toArticleView(row, {
      notices: notices
        .filter((n) => n.articleId === row.id)
        .map((n) => ({ id: n.id, kind: n.kind, text: n.text, publishedAt: n.publishedAt })),
      // An issue shows on its articles once it is published (editors gather it first).
      issue: issue ? { id: issue.id, volume: issue.volume, number: issue.number, year: issue.year } : null,
      translationOf: originals.find((o) => o.id === row.translationOfArticleId) ?? null,
      translations: translations.filter((t) => t.of === row.id).map(({ of: _, ...t }) => t),
    });
  });
}

/** A correction or retraction notice by an editor; a retraction marks the article (it stays online). */
export async function addNotice(
  db: Db,
  editor: Actor,
  input: { articleId: string; kind: 'correction' | 'retraction'; text: string },
  meta: RequestMeta,
  now = Date.now(),
): Promise<{ ok: true; noticeId: string } | Refusal> {
  return db.transaction(async (tx) => {
    const [row] = await tx.select().from(journalArticles).where(eq(journalArticles.id, input.articleId));
    if (!row) return refuse('NOT_FOUND', 'No such article.');
    if (row.retracted) return refuse('CONFLICT', 'This article is retracted: no further notices.');
    const noticeId = newId();
    await tx.insert(journalNotices).values({
      id: noticeId,
      articleId: row.id,
      kind: input.kind,
      text: input.text,
      publishedAt: now,
      createdBy: editor.id,
    });
    await tx
      .update(journalArticles)
      .set({ updatedAt: now, ...(input.kind === 'retraction' ? { retracted: true } : {}) })
      .where(eq(journalArticles.id, row.id));
    await writeAudit(
      tx,
      { actorId: editor.id, action: `journal.${input.kind}`, subjectId: row.id, ipAddress: meta.ipAddress },
      now,
    );
    return { ok: true as const, noticeId };
  });
}

/** Page size of the browse and search list. */
export const ARTICLES_PER_PAGE = 20;

function ftsPhrases(text: string): string[] {
  return (text.match(/[\p{L}\p{N}]+/gu)?.slice(0, 12) ?? []).map((w) => `"${w}"`);
}

/**
 * Browse and search: filters by type, year, keyword, language and author; `q` searches title, abstract,
 * keywords, full text and authors (FTS5; only published articles have rows). Newest first, or best
 * match first when searching.
 */
export async function searchArticles(
  db: DbOrTx,
  input: SearchInput,
): Promise<{ articles: ArticleView[]; total: number }> {
  const conditions = [];
  if (input.type) conditions.push(sql`a.type = ${input.type}`);
  if (input.year) conditions.push(sql`a.year = ${input.year}`);
  if (input.language) conditions.push(sql`a.language = ${input.language}`);
  if (input.keyword) {
    conditions.push(
      sql`exists (select 1 from json_each(a.keywords_json) k where lower(k.value) = lower(${input.keyword}))`,
    );
  }
  const match = [...ftsPhrases(input.q), ...ftsPhrases(input.author ?? '').map((p) => `{authors} : ${p}`)].join(' ');
  if (match) conditions.push(sql`a.id in (select article_id from journal_search where journal_search match ${match})`);
  const where = conditions.length > 0 ? sql.join([sql`where`, sql.join(conditions, sql` and `)], sql` `) : sql``;
  const [countRow] = await db.all<{ n: number }>(sql`select count(*) as n from journal_articles a ${where}`);
  const offset = (input.page - 1) * ARTICLES_PER_PAGE;
  const ids = await db.all<{ id: string }>(
    sql`select a.id from journal_articles a ${where} order by a.published_at desc, a.id limit ${ARTICLES_PER_PAGE} offset ${offset}`,
  );
  const rows =
    ids.length === 0
      ? []
      : await db
          .select()
          .from(journalArticles)
          .where(
            inArray(
              journalArticles.id,
              ids.map((r) => r.id),
            ),
          )
          .orderBy(desc(journalArticles.publishedAt), asc(journalArticles.id));
  return { articles: await withLinks(db, rows), total: Number(countRow?.n ?? 0) };
}

/** Years and keywords that published articles have (the browse filters). */
export async function browseFacets(db: DbOrTx): Promise<{ years: number[]; keywords: string[]; languages: string[] }> {
  const years = await db.all<{ year: number }>(sql`select distinct year from journal_articles order by year desc`);
  const keywords = await db.all<{ k: string }>(
    sql`select distinct lower(k.value) as k from journal_articles a, json_each(a.keywords_json) k order by 1 limit 200`,
  );
  const languages = await db.all<{ language: string }>(sql`select distinct language from journal_articles order by 1`);
  return {
    years: years.map((r) => r.year),
    keywords: keywords.map((r) => r.k),
    languages: languages.map((r) => r.language),
  };
}

/** The PDF of a published article (public, as the article is), or null. */
export async function readArticlePdf(
  db: DbOrTx,
  uploadDir: string,
  id: string,
): Promise<{ bytes: Uint8Array<ArrayBuffer>; doi: string } | null> {
  const [row] = await db
    .select({ storedName: journalArticles.pdfStoredName, doi: journalArticles.doi })
    .from(journalArticles)
    .where(eq(journalArticles.id, id));
  if (!row?.storedName) return null;
  const bytes = await readStoredFile(uploadDir, JOURNAL_FILES_FOLDER, row.storedName);
  return bytes ? { bytes, doi: row.doi } : null;
}
