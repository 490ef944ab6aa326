/**
 * Translations into English (issue 17, item 4): an editor accepts a published article in another language
 * (an IECPA article, or one published elsewhere with its original citation and the rights statement);
 * a member with the `translator` role writes the English text; a second translator or an editor reviews
 * it; an editor publishes it as its own article with its own DOI, linked both ways to the original
 * (isTranslationOf / hasTranslation), keeping the original title and abstract in their language.
 */
import { and, desc, eq, or } from 'drizzle-orm';
import type { Db } from '#db/client.ts';
import { journalArticles, journalTranslations, userRoles, users } from '#db/schema/index.ts';
import type { ArticlePerson } from '#src/lib/journal-metadata/types.ts';
import { writeAudit } from '../audit.ts';
import type { SessionUser } from '../auth/session.ts';
import { formatCitationOffThread } from '../citation-pool.ts';
import { newId } from '../ids.ts';
import { type Refusal, refuse } from '../refusal.ts';
import { newStoredName, writeStoredFile } from '../uploads.ts';
import type { RequestMeta, ServiceDeps } from './deps.ts';
import { getArticle, insertArticle, journalInfo, languageName } from './journal-articles.ts';
import { journalMail } from './journal-mail.ts';
import { siteOrigin, toArticleMetadata } from './journal-metadata-source.ts';
import { buildArticlePdf } from './journal-pdf.ts';
import type { translationAcceptInput, translationReviewInput, translationTextInput } from './journal-schemas.ts';
import { emailOf, JOURNAL_FILES_FOLDER, parseAbstract, type StructuredAbstractText } from './journal-submissions.ts';

type Actor = Pick<SessionUser, 'id' | 'email' | 'roles' | 'name'>;
type TranslationRow = typeof journalTranslations.$inferSelect;

const EMPTY_ABSTRACT: StructuredAbstractText = { background: '', methods: '', results: '', conclusions: '' };

export const TRANSLATION_STATUS_LABELS: Record<TranslationRow['status'], string> = {
  accepted: 'Being translated',
  'in-review': 'Translation in review',
  'changes-requested': 'Changes requested by the reviewer',
  approved: 'Approved: ready to publish',
  published: 'Published',
};

/** "Li Wei" → given names "Li", surname "Wei" (the last word is the surname). */
export function personFromName(name: string): ArticlePerson {
  const parts = name.trim().split(/\s+/);
  const surname = parts.pop() ?? name;
  return { givenNames: parts.join(' '), surname };
}

async function holdsRole(db: Db, userId: string, roles: string[]): Promise<{ email: string; name: string } | null> {
  const [row] = await db
    .select({ email: users.email, name: users.name })
    .from(users)
    .innerJoin(userRoles, eq(userRoles.userId, users.id))
    .where(and(eq(users.id, userId), or(...roles.map((r) => eq(userRoles.role, r)))));
  return row ?? null;
}

export async function acceptForTranslation(
  db: Db,
  deps: ServiceDeps,
  editor: Actor,
  input: ReturnType<typeof translationAcceptInput.parse>,
  meta: RequestMeta,
  now = Date.now(),
): Promise<{ ok: true; translationId: string } | Refusal> {
  const translator = await holdsRole(db, input.translatorId, ['translator']);
  if (!translator)
    return refuse('BAD_REQUEST', 'Choose a member with the translator role.', { translatorId: 'Choose a translator.' });
  if (input.reviewerId === input.translatorId) {
    return refuse('BAD_REQUEST', 'The reviewer must be a second person.', {
      reviewerId: 'Choose someone other than the translator.',
    });
  }
  const reviewer = await holdsRole(db, input.reviewerId, ['translator', 'editor']);
  if (!reviewer)
    return refuse('BAD_REQUEST', 'The reviewer must be a translator or an editor.', {
      reviewerId: 'Choose a translator or editor.',
    });
  let source = {
    sourceArticleId: null as string | null,
    sourceLanguage: input.sourceLanguage,
    originalTitle: input.originalTitle,
    originalAbstract: input.originalAbstract,
    originalCitation: input.originalCitation,
    originalDoi: input.originalDoi,
    originalUrl: input.originalUrl,
    authors: input.authors.map((a) => ({
      givenNames: a.givenNames,
      surname: a.surname,
      ...(a.orcid ? { orcid: a.orcid } : {}),
      ...(a.affiliation ? { affiliation: a.affiliation } : {}),
      ...(a.country ? { country: a.country } : {}),
    })) as ArticlePerson[],
  };
  if (input.sourceArticleId) {
    const original = await getArticle(db, input.sourceArticleId);
    if (!original) return refuse('NOT_FOUND', 'No such IECPA article.');
    const journal = journalInfo(siteOrigin());
    if (original.language === 'en') return refuse('BAD_REQUEST', 'That article is in English already.');
    source = {
      sourceArticleId: original.id,
      sourceLanguage: original.language,
      originalTitle: original.title,
      originalAbstract: Object.values(original.abstract).filter(Boolean).join('\n'),
      originalCitation: await formatCitationOffThread(toArticleMetadata(original, journal), journal, 'vancouver'),
      originalDoi: original.doi,
      originalUrl: '',
      authors: original.authors,
    };
  }
  const id = newId();
  await db.insert(journalTranslations).values({
    id,
    status: 'accepted',
    sourceArticleId: source.sourceArticleId,
    sourceLanguage: source.sourceLanguage,
    originalTitle: source.originalTitle,
    originalAbstract: source.originalAbstract,
    originalCitation: source.originalCitation,
    originalDoi: source.originalDoi,
    originalUrl: source.originalUrl,
    rightsStatement: input.rightsStatement,
    authorsJson: JSON.stringify(source.authors),
    translatorId: input.translatorId,
    reviewerId: input.reviewerId,
    acceptedBy: editor.id,
    title: '',
    abstractJson: JSON.stringify(EMPTY_ABSTRACT),
    keywordsJson: '[]',
    bodyMarkdown: '',
    reviewComments: '',
    articleId: null,
    createdAt: now,
    updatedAt: now,
  });
  await writeAudit(
    db,
    {
      actorId: editor.id,
      action: 'journal.translation-accepted',
      subjectId: id,
      ipAddress: meta.ipAddress,
      details: { translatorId: input.translatorId, reviewerId: input.reviewerId },
    },
    now,
  );
  await deps.mailer.send(db, {
    to: translator.email,
    ...journalMail.translationAssigned(deps.siteUrl, id, 'translator'),
  });
  await deps.mailer.send(db, { to: reviewer.email, ...journalMail.translationAssigned(deps.siteUrl, id, 'reviewer') });
  return { ok: true, translationId: id };
}

async function load(db: Db, id: string): Promise<TranslationRow | null> {
  const [row] = await db.select().from(journalTranslations).where(eq(journalTranslations.id, id));
  return row ?? null;
}

const NOT_YOURS = 'No such translation, or it is not yours.';

/** The translator saves the English text (while translating, or after the reviewer asked for changes). */
export async function saveTranslation(
  db: Db,
  deps: ServiceDeps,
  translator: Actor,
  input: ReturnType<typeof translationTextInput.parse>,
  options: { submitForReview: boolean },
  meta: RequestMeta,
  now = Date.now(),
): Promise<{ ok: true } | Refusal> {
  const row = await load(db, input.translationId);
  if (!row || row.translatorId !== translator.id) return refuse('NOT_FOUND', NOT_YOURS);
  if (row.status !== 'accepted' && row.status !== 'changes-requested')
    return refuse('CONFLICT', 'The translation is with its reviewer or published.');
  if (options.submitForReview) {
    const problems: Record<string, string> = {};
    if (!input.title) problems.title = 'Give the English title.';
    for (const part of ['background', 'methods', 'results', 'conclusions'] as const) {
      if (!input.abstract[part]) problems[`abstract.${part}`] = `Translate the ${part} section of the abstract.`;
    }
    if (!input.bodyMarkdown.trim()) problems.bodyMarkdown = 'Translate the full text.';
    if (Object.keys(problems).length > 0)
      return refuse('BAD_REQUEST', 'The translation is not complete yet.', problems);
  }
  await db
    .update(journalTranslations)
    .set({
      title: input.title,
      abstractJson: JSON.stringify(input.abstract),
      keywordsJson: JSON.stringify(input.keywords.filter(Boolean)),
      bodyMarkdown: input.bodyMarkdown,
      updatedAt: now,
      ...(options.submitForReview ? { status: 'in-review' as const } : {}),
    })
    .where(eq(journalTranslations.id, row.id));
  if (options.submitForReview) {
    await writeAudit(
      db,
      { actorId: translator.id, action: 'journal.translation-submitted', subjectId: row.id, ipAddress: meta.ipAddress },
      now,
    );
    const reviewer = await holdsRole(db, row.reviewerId, ['translator', 'editor']);
    if (reviewer) {
      await deps.mailer.send(db, { to: reviewer.email, ...journalMail.translationToReview(deps.siteUrl, row.id) });
    }
  }
  return { ok: true };
}

/** The second person approves the translation or sends it back with comments. */
export async function reviewTranslation(
  db: Db,
  reviewer: Actor,
  input: ReturnType<typeof translationReviewInput.parse>,
  meta: RequestMeta,
  now = Date.now(),
): Promise<{ ok: true } | Refusal> {
  const row = await load(db, input.translationId);
  if (!row || row.reviewerId !== reviewer.id) return refuse('NOT_FOUND', NOT_YOURS);
  if (row.status !== 'in-review') return refuse('CONFLICT', 'The translation is not waiting for review.');
  if (!input.approve && !input.comments)
    return refuse('BAD_REQUEST', 'Say what needs changing.', { comments: 'Say what needs changing.' });
  await db
    .update(journalTranslations)
    .set({ status: input.approve ? 'approved' : 'changes-requested', reviewComments: input.comments, updatedAt: now })
    .where(and(eq(journalTranslations.id, row.id), eq(journalTranslations.status, 'in-review')));
  await writeAudit(
    db,
    {
      actorId: reviewer.id,
      action: input.approve ? 'journal.translation-approved' : 'journal.translation-changes',
      subjectId: row.id,
      ipAddress: meta.ipAddress,
    },
    now,
  );
  return { ok: true };
}

/** Publishes an approved translation as its own article and DOI, linked to its original. */
export async function publishTranslation(
  db: Db,
  deps: ServiceDeps,
  uploadDir: string,
  editor: Actor,
  translationId: string,
  meta: RequestMeta,
  now = Date.now(),
): Promise<{ ok: true; articleId: string; doi: string } | Refusal> {
  const outcome = await db.transaction(async (tx) => {
    const [row] = await tx.select().from(journalTranslations).where(eq(journalTranslations.id, translationId));
    if (!row) return refuse('NOT_FOUND', 'No such translation.');
    if (row.status !== 'approved') return refuse('CONFLICT', 'Only an approved translation can be published.');
    const [translator] = await tx.select({ name: users.name }).from(users).where(eq(users.id, row.translatorId));
    const claimed = await tx
      .update(journalTranslations)
      .set({ status: 'published', updatedAt: now })
      .where(and(eq(journalTranslations.id, row.id), eq(journalTranslations.status, 'approved')))
      .returning({ id: journalTranslations.id });
    if (claimed.length === 0) return refuse('CONFLICT', 'This translation was already published.');
    const original = row.sourceArticleId
      ? (await tx.select().from(journalArticles).where(eq(journalArticles.id, row.sourceArticleId)))[0]
      : undefined;
    const article = await insertArticle(
      tx,
      {
        submissionId: null,
        translationId: row.id,
        type: 'translation',
        title: row.title,
        language: 'en',
        abstract: parseAbstract(row.abstractJson),
        keywords: JSON.parse(row.keywordsJson) as string[],
        authors: JSON.parse(row.authorsJson) as ArticlePerson[],
        translators: translator ? [personFromName(translator.name)] : [],
        bodyMarkdown: row.bodyMarkdown,
        references: original ? (JSON.parse(original.referencesJson) as string[]) : [],
        competingInterests: original?.competingInterests ?? 'As declared in the original publication.',
        deviceManufacturerTies: original?.deviceManufacturerTies ?? 'As declared in the original publication.',
        funding: original?.funding ?? 'As declared in the original publication.',
        receivedAt: row.createdAt,
        revisedAt: null,
        acceptedAt: row.createdAt,
        pdfStoredName: null,
        translationOfArticleId: row.sourceArticleId,
        original: {
          title: row.originalTitle,
          titleLanguage: row.sourceLanguage,
          abstract: row.originalAbstract,
          citation: row.originalCitation,
          doi: row.originalDoi,
          url: row.originalUrl,
          rights: row.rightsStatement,
        },
      },
      now,
    );
    await tx.update(journalTranslations).set({ articleId: article.id }).where(eq(journalTranslations.id, row.id));
    await writeAudit(
      tx,
      {
        actorId: editor.id,
        action: 'journal.translation-published',
        subjectId: row.id,
        ipAddress: meta.ipAddress,
        details: { articleId: article.id, doi: article.doi },
      },
      now,
    );
    return { ok: true as const, ...article, translatorId: row.translatorId };
  });
  if (!outcome.ok) return outcome;
  await storeArticlePdf(db, uploadDir, outcome.id);
  await deps.mailer.send(db, {
    to: await emailOf(db, outcome.translatorId),
    ...journalMail.published(deps.siteUrl, outcome.id, outcome.doi),
  });
  return { ok: true, articleId: outcome.id, doi: outcome.doi };
}

/** Lays out a published article's PDF (journal-pdf.ts) and records it as the article's PDF. */
export async function storeArticlePdf(
  db: Pick<Db, 'update' | 'select'>,
  uploadDir: string,
  articleId: string,
): Promise<void> {
  const article = await getArticle(db as Db, articleId);
  if (!article) return;
  const storedName = newStoredName();
  await writeStoredFile(uploadDir, JOURNAL_FILES_FOLDER, storedName, await buildArticlePdf(article));
  // updatedAt moves with the PDF, so cached views of the article (journal-articles.ts) see it.
  await db
    .update(journalArticles)
    .set({ pdfStoredName: storedName, updatedAt: Math.max(Date.now(), article.updatedAt + 1) })
    .where(eq(journalArticles.id, articleId));
}

/** A translation for its translator, its reviewer, or an editor; null for anyone else. */
export async function translationView(db: Db, user: Actor, id: string) {
  const row = await load(db, id);
  if (!row) return null;
  if (row.translatorId !== user.id && row.reviewerId !== user.id && !user.roles.includes('editor')) return null;
  return {
    ...row,
    abstract: parseAbstract(row.abstractJson),
    keywords: JSON.parse(row.keywordsJson) as string[],
    authors: JSON.parse(row.authorsJson) as ArticlePerson[],
    sourceLanguageName: languageName(row.sourceLanguage),
    isTranslator: row.translatorId === user.id,
    isReviewer: row.reviewerId === user.id,
  };
}

/** Translations the user translates or reviews (editors: all), newest first. */
export async function listTranslations(db: Db, user: Actor) {
  const where = user.roles.includes('editor')
    ? undefined
    : or(eq(journalTranslations.translatorId, user.id), eq(journalTranslations.reviewerId, user.id));
  return db
    .select({
      id: journalTranslations.id,
      status: journalTranslations.status,
      originalTitle: journalTranslations.originalTitle,
      sourceLanguage: journalTranslations.sourceLanguage,
      title: journalTranslations.title,
      articleId: journalTranslations.articleId,
      updatedAt: journalTranslations.updatedAt,
    })
    .from(journalTranslations)
    .where(where)
    .orderBy(desc(journalTranslations.updatedAt));
}

/** Who may translate (the `translator` role) and who may review a translation (translators and editors). */
export async function translatorCandidates(db: Db) {
  const rows = await db
    .select({ id: users.id, name: users.name, role: userRoles.role })
    .from(userRoles)
    .innerJoin(users, eq(users.id, userRoles.userId))
    .where(or(eq(userRoles.role, 'translator'), eq(userRoles.role, 'editor')));
  const option = (r: { id: string; name: string }) => ({ value: r.id, label: r.name });
  const unique = (list: typeof rows) => [...new Map(list.map((r) => [r.id, option(r)])).values()];
  return { translators: unique(rows.filter((r) => r.role === 'translator')), reviewers: unique(rows) };
}
