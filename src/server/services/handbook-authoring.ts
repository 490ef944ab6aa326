/**
 * Educators' workflow for chapters and modules: save a draft (a new revision, refused as a conflict when
 * someone saved since the editor was opened), submit it for review, a second educator approves or asks for
 * changes, publish with a change note, roll back to an earlier published text as a new revision that goes
 * through review like any other.
 * Every revision is kept (the table is append-only); publishing and rolling back are audited.
 */
import { and, desc, eq } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import type { Db, DbOrTx } from '#db/client.ts';
import {
  curriculumLevels,
  type DocumentKind,
  handbookAutosaves,
  handbookDocuments,
  handbookRevisions,
  type RevisionStatus,
  users,
} from '#db/schema/index.ts';
import { getScenario } from '#src/lib/scenario-presets.ts';
import { writeAudit } from '../audit.ts';
import { newId } from '../ids.ts';
import { type BrokenLink, markdownComplexityProblems } from '../markdown.ts';
import { findBrokenLinksOffThread } from '../markdown-pool.ts';
import { type Refusal, refuse } from '../refusal.ts';
import type { RequestMeta, ServiceDeps } from './deps.ts';
import { chapterAnchors, latestRevisionNumber, makePublished } from './handbook.ts';
import { joinSource, type ModuleFrontMatter, splitSource, validateFrontMatter } from './handbook-content.ts';
import { NEW_DOCUMENT_TEMPLATES } from './handbook-templates.ts';
import { mailRole } from './role-mail.ts';

export interface DocumentRef {
  kind: DocumentKind;
  slug: string;
}

export interface RevisionSummary {
  id: string;
  revision: number;
  baseRevision: number | null;
  status: RevisionStatus;
  authorId: string | null;
  authorName: string | null;
  reviewerName: string | null;
  reviewComment: string | null;
  changeNote: string;
  createdAt: number;
  reviewedAt: number | null;
  publishedAt: number | null;
  title: string;
}

export interface RevisionDetail extends RevisionSummary {
  body: string;
  frontMatter: Record<string, unknown>;
  /** What the editor shows: front matter and body as one text. */
  source: string;
}

async function findDocument(db: DbOrTx, ref: DocumentRef) {
  const rows = await db
    .select()
    .from(handbookDocuments)
    .where(and(eq(handbookDocuments.kind, ref.kind), eq(handbookDocuments.slug, ref.slug)))
    .limit(1);
  return rows[0] ?? null;
}

const reviewers = alias(users, 'reviewers');

async function selectRevisions(db: DbOrTx, documentId: string, revision?: number): Promise<RevisionDetail[]> {
  const rows = await db
    .select({
      id: handbookRevisions.id,
      revision: handbookRevisions.revision,
      baseRevision: handbookRevisions.baseRevision,
      status: handbookRevisions.status,
      authorId: handbookRevisions.authorId,
      authorName: users.name,
      reviewerName: reviewers.name,
      reviewComment: handbookRevisions.reviewComment,
      changeNote: handbookRevisions.changeNote,
      createdAt: handbookRevisions.createdAt,
      reviewedAt: handbookRevisions.reviewedAt,
      publishedAt: handbookRevisions.publishedAt,
      body: handbookRevisions.bodyMarkdown,
      frontMatter: handbookRevisions.frontMatter,
    })
    .from(handbookRevisions)
    .leftJoin(users, eq(users.id, handbookRevisions.authorId))
    .leftJoin(reviewers, eq(reviewers.id, handbookRevisions.reviewerId))
    .where(
      revision === undefined
        ? eq(handbookRevisions.documentId, documentId)
        : and(eq(handbookRevisions.documentId, documentId), eq(handbookRevisions.revision, revision)),
    )
    .orderBy(desc(handbookRevisions.revision));
  return rows.map((row) => {
    const frontMatter = JSON.parse(row.frontMatter) as Record<string, unknown>;
    return {
      ...row,
      frontMatter,
      title: typeof frontMatter.title === 'string' ? frontMatter.title : '',
      source: joinSource(frontMatter, row.body),
    };
  });
}

/** Every revision of a document, newest first (without bodies in the summaries' use, but cheap enough). */
export async function listRevisions(db: Db, ref: DocumentRef): Promise<RevisionDetail[] | null> {
  const doc = await findDocument(db, ref);
  if (!doc) return null;
  return selectRevisions(db, doc.id);
}

export async function getRevision(db: Db, ref: DocumentRef, revision: number): Promise<RevisionDetail | null> {
  const doc = await findDocument(db, ref);
  if (!doc) return null;
  return (await selectRevisions(db, doc.id, revision))[0] ?? null;
}

export interface PublishedChange {
  revision: number;
  publishedAt: number;
  changeNote: string;
  /** The revision's id: the key of its rendered HTML (renderPublished). */
  id: string;
  body: string;
}

/** The revisions that readers have seen, newest first, with their change notes (for "what changed"). */
export async function listPublishedChanges(db: Db, ref: DocumentRef): Promise<PublishedChange[] | null> {
  const doc = await findDocument(db, ref);
  if (!doc?.publishedRevisionId) return null;
  const revisions = await selectRevisions(db, doc.id);
  return revisions
    .filter((r) => r.status === 'published' && r.publishedAt !== null)
    .map((r) => ({
      revision: r.revision,
      publishedAt: r.publishedAt ?? 0,
      changeNote: r.changeNote,
      id: r.id,
      body: r.body,
    }));
}

export interface AutosavedText {
  baseRevision: number;
  source: string;
  savedAt: number;
}

export interface EditorState {
  documentId: string;
  latest: RevisionDetail;
  publishedRevision: number | null;
  /** The editor's own automatically saved text, when it differs from the newest revision. */
  autosave: AutosavedText | null;
}

/**
 * What the editor opens with: the newest revision (draft or not), which one is published, and the
 * educator's own automatically saved text if it holds something the newest revision does not.
 */
export async function getEditorState(db: Db, ref: DocumentRef, userId: string): Promise<EditorState | null> {
  const doc = await findDocument(db, ref);
  if (!doc) return null;
  const revisions = await selectRevisions(db, doc.id);
  const latest = revisions[0];
  if (!latest) return null;
  const published = revisions.find((r) => r.id === doc.publishedRevisionId);
  const [autosave] = await db
    .select({
      baseRevision: handbookAutosaves.baseRevision,
      source: handbookAutosaves.source,
      savedAt: handbookAutosaves.savedAt,
    })
    .from(handbookAutosaves)
    .where(and(eq(handbookAutosaves.documentId, doc.id), eq(handbookAutosaves.userId, userId)));
  return {
    documentId: doc.id,
    latest,
    publishedRevision: published?.revision ?? null,
    autosave: autosave && autosave.source !== latest.source ? autosave : null,
  };
}

/**
 * Someone saved a revision after the one the editor was opened on. It is a refusal (nothing is stored) that
 * the procedure returns instead of throwing: the editor needs the newest text to show both and merge.
 */
export interface DraftConflict extends Refusal {
  code: 'CONFLICT';
  conflict: { latestRevision: number; latestAuthorName: string | null; latestSource: string };
}

async function draftConflict(tx: DbOrTx, documentId: string, latestNumber: number): Promise<DraftConflict> {
  const [latest] = await selectRevisions(tx, documentId, latestNumber);
  const latestAuthorName = latest?.authorName ?? null;
  return {
    ...refuse(
      'CONFLICT',
      `${latestAuthorName ?? 'Another educator'} saved revision ${latestNumber} after you opened the editor; nothing was saved.`,
    ),
    code: 'CONFLICT',
    conflict: { latestRevision: latestNumber, latestAuthorName, latestSource: latest?.source ?? '' },
  };
}

const NO_SUCH_DOCUMENT = refuse('NOT_FOUND', 'That document does not exist.');

export type AutosaveResult = { ok: true; savedAt: number } | DraftConflict | Refusal;

/**
 * Keeps the educator's working text on the server (replacing their previous autosave of this document).
 * The same rule as saving a draft: if anyone saved a revision after `baseRevision`, nothing is stored and
 * the caller is told, so the educator merges instead of building on a text that is no longer the newest.
 * The text is not validated: half-typed front matter is still work worth keeping.
 */
export async function autosaveDraft(
  db: Db,
  userId: string,
  input: DocumentRef & { baseRevision: number; source: string },
  now = Date.now(),
): Promise<AutosaveResult> {
  return db.transaction(async (tx) => {
    const doc = await findDocument(tx, input);
    if (!doc) return NO_SUCH_DOCUMENT;
    const latestNumber = await latestRevisionNumber(tx, doc.id);
    if (latestNumber !== input.baseRevision) return draftConflict(tx, doc.id, latestNumber);
    const row = { baseRevision: input.baseRevision, source: input.source, savedAt: now };
    await tx
      .insert(handbookAutosaves)
      .values({ documentId: doc.id, userId, ...row })
      .onConflictDoUpdate({ target: [handbookAutosaves.documentId, handbookAutosaves.userId], set: row });
    return { ok: true, savedAt: now } as const;
  });
}

/** Forgets the educator's automatically saved text of a document (they chose not to restore it). */
export async function discardAutosave(db: Db, userId: string, ref: DocumentRef): Promise<boolean> {
  const doc = await findDocument(db, ref);
  if (!doc) return false;
  await db
    .delete(handbookAutosaves)
    .where(and(eq(handbookAutosaves.documentId, doc.id), eq(handbookAutosaves.userId, userId)));
  return true;
}

export interface DocumentListItem {
  kind: DocumentKind;
  slug: string;
  title: string;
  latestRevision: number;
  latestStatus: RevisionStatus;
  publishedRevision: number | null;
}

/** All documents with the state of their newest revision, for the educators' dashboard. */
export async function listDocumentsForEditing(db: Db): Promise<DocumentListItem[]> {
  const docs = await db.select().from(handbookDocuments);
  const out: DocumentListItem[] = [];
  for (const doc of docs) {
    const revisions = await db
      .select({
        id: handbookRevisions.id,
        revision: handbookRevisions.revision,
        status: handbookRevisions.status,
        frontMatter: handbookRevisions.frontMatter,
      })
      .from(handbookRevisions)
      .where(eq(handbookRevisions.documentId, doc.id))
      .orderBy(desc(handbookRevisions.revision));
    const latest = revisions[0];
    if (!latest) continue;
    const fm = JSON.parse(latest.frontMatter) as { title?: unknown };
    out.push({
      kind: doc.kind,
      slug: doc.slug,
      title: typeof fm.title === 'string' ? fm.title : doc.slug,
      latestRevision: latest.revision,
      latestStatus: latest.status,
      publishedRevision: revisions.find((r) => r.id === doc.publishedRevisionId)?.revision ?? null,
    });
  }
  return out.sort((a, b) => a.kind.localeCompare(b.kind) || a.title.localeCompare(b.title));
}

export interface CheckedSource {
  frontMatter: Record<string, unknown>;
  body: string;
  title: string;
}

export type CheckSourceResult = { ok: true; value: CheckedSource } | { ok: false; messages: string[] };

/** Parses and validates an editor's text for a document of `ref` (the slug cannot change). */
export function checkSource(ref: DocumentRef, source: string): CheckSourceResult {
  const split = splitSource(source);
  if (!split.ok) return { ok: false, messages: [split.message] };
  const valid = validateFrontMatter(ref.kind, split.value.frontMatter);
  if (!valid.ok) return { ok: false, messages: valid.messages };
  if (valid.value.slug !== ref.slug) {
    return {
      ok: false,
      messages: [`slug: The slug cannot change (it is "${ref.slug}"); links and progress refer to it.`],
    };
  }
  if (split.value.body.trim() === '') return { ok: false, messages: ['The text below the front matter is empty.'] };
  // Checked before anything parses the body: the structures that make parsing slow are refused here.
  const tooComplex = markdownComplexityProblems(split.value.body);
  if (tooComplex.length > 0) return { ok: false, messages: tooComplex };
  return {
    ok: true,
    value: { frontMatter: split.value.frontMatter, body: split.value.body, title: valid.value.title },
  };
}

/**
 * Broken internal links in a document's body and, for a module, required reading that names a missing
 * chapter or heading (reported as line 0 of the front matter).
 */
export async function brokenLinksOf(
  db: DbOrTx,
  ref: DocumentRef,
  frontMatter: Record<string, unknown>,
  body: string,
): Promise<BrokenLink[]> {
  const anchors = await chapterAnchors(db);
  const broken = await findBrokenLinksOffThread(body, anchors, ref.kind === 'chapter' ? ref.slug : null);
  if (ref.kind === 'module') {
    const scenario = (frontMatter as Partial<ModuleFrontMatter>).simulatorExercise?.scenario;
    if (scenario && !getScenario(scenario)) {
      // A member could never complete an exercise on a scenario the simulator does not offer.
      broken.push({
        url: `/simulator?scenario=${scenario}`,
        line: 0,
        column: 0,
        reason: `Simulator exercise: there is no scenario preset "${scenario}".`,
      });
    }
    const reading = (frontMatter as Partial<ModuleFrontMatter>).reading ?? [];
    for (const item of reading) {
      const chapter = anchors.get(item.chapter);
      const url = `/handbook/${item.chapter}${item.section ? `#${item.section}` : ''}`;
      if (!chapter)
        broken.push({
          url,
          line: 0,
          column: 0,
          reason: `Required reading names no published chapter "${item.chapter}".`,
        });
      else if (item.section && !chapter.has(item.section)) {
        broken.push({
          url,
          line: 0,
          column: 0,
          reason: `Required reading: chapter "${item.chapter}" has no heading "#${item.section}".`,
        });
      }
    }
  }
  return broken;
}

export type CreateDocumentResult = { ok: true; slug: string } | Refusal;

/** The text's problems, one per line, on the source field. */
function sourceProblems(messages: string[]): Refusal {
  return refuse('BAD_REQUEST', 'The text needs attention.', { source: messages.join('\n') });
}

/**
 * What the new document still takes from its template (/educator/new): its placeholder title or slug. Pressing
 * "Create draft" on the untouched template would otherwise create a chapter called "New chapter title".
 */
function templatePlaceholdersLeft(kind: DocumentKind, frontMatter: { title: string; slug: string }): string[] {
  const template = splitSource(NEW_DOCUMENT_TEMPLATES[kind]);
  if (!template.ok) return [];
  const placeholder = template.value.frontMatter as { title?: unknown; slug?: unknown };
  const left: string[] = [];
  if (frontMatter.title === placeholder.title) {
    left.push(`title: "${frontMatter.title}" is the template's; give the ${kind} its own title.`);
  }
  if (frontMatter.slug === placeholder.slug) {
    left.push(`slug: "${frontMatter.slug}" is the template's; give the ${kind} its own slug (its address).`);
  }
  return left;
}

/** Starts a new chapter or module as draft revision 1 (published later through review, like any edit). */
export async function createDocument(
  db: Db,
  authorId: string,
  input: { kind: DocumentKind; source: string },
  now = Date.now(),
): Promise<CreateDocumentResult> {
  const split = splitSource(input.source);
  if (!split.ok) return sourceProblems([split.message]);
  const valid = validateFrontMatter(input.kind, split.value.frontMatter);
  if (!valid.ok) return sourceProblems(valid.messages);
  const unfilled = templatePlaceholdersLeft(input.kind, valid.value);
  if (unfilled.length > 0) return sourceProblems(unfilled);
  const ref = { kind: input.kind, slug: valid.value.slug };
  const checked = checkSource(ref, input.source);
  if (!checked.ok) return sourceProblems(checked.messages);
  return db.transaction(async (tx) => {
    if (await findDocument(tx, ref))
      return refuse('CONFLICT', 'That slug is taken.', {
        source: 'slug: Another document already uses this slug. Choose another.',
      });
    if (input.kind === 'module') {
      const level = (valid.value as ModuleFrontMatter).level;
      const levels = await tx
        .select({ level: curriculumLevels.level })
        .from(curriculumLevels)
        .where(eq(curriculumLevels.level, level));
      if (levels.length === 0)
        return refuse('BAD_REQUEST', 'No such level.', {
          source: 'level: There is no curriculum level with that number.',
        });
    }
    const documentId = newId();
    await tx.insert(handbookDocuments).values({ id: documentId, kind: input.kind, slug: ref.slug, createdAt: now });
    await tx.insert(handbookRevisions).values({
      id: newId(),
      documentId,
      revision: 1,
      baseRevision: null,
      bodyMarkdown: checked.value.body,
      frontMatter: JSON.stringify(checked.value.frontMatter),
      authorId,
      status: 'draft',
      createdAt: now,
    });
    await writeAudit(
      tx,
      { actorId: authorId, action: 'handbook.created', subjectId: documentId, details: { ...ref } },
      now,
    );
    return { ok: true, slug: ref.slug } as const;
  });
}

export type SaveDraftResult = { ok: true; revision: number; brokenLinks: BrokenLink[] } | DraftConflict | Refusal;

/**
 * Saves the editor's text as a new draft revision. `baseRevision` is the revision the editor was opened
 * on; if anyone has saved since, the save is refused as a conflict (the caller keeps the text and shows
 * both), so no one's work is silently replaced.
 */
export async function saveDraft(
  db: Db,
  authorId: string,
  input: DocumentRef & { baseRevision: number; source: string },
  now = Date.now(),
): Promise<SaveDraftResult> {
  const checked = checkSource(input, input.source);
  return db.transaction(async (tx) => {
    const doc = await findDocument(tx, input);
    if (!doc) return NO_SUCH_DOCUMENT;
    const latestNumber = await latestRevisionNumber(tx, doc.id);
    if (latestNumber !== input.baseRevision) return draftConflict(tx, doc.id, latestNumber);
    if (!checked.ok) return sourceProblems(checked.messages);
    // A revision identical to the one it is based on would fill the history with nothing (issue 13).
    const [base] = await tx
      .select({ body: handbookRevisions.bodyMarkdown, frontMatter: handbookRevisions.frontMatter })
      .from(handbookRevisions)
      .where(and(eq(handbookRevisions.documentId, doc.id), eq(handbookRevisions.revision, latestNumber)));
    if (base && base.body === checked.value.body && base.frontMatter === JSON.stringify(checked.value.frontMatter))
      return refuse('BAD_REQUEST', 'Nothing has changed since the revision you opened, so no revision was saved.', {
        source: 'The text is the same as the revision it is based on. Make a change, or leave the editor.',
      });
    const revision = latestNumber + 1;
    await tx.insert(handbookRevisions).values({
      id: newId(),
      documentId: doc.id,
      revision,
      baseRevision: input.baseRevision,
      bodyMarkdown: checked.value.body,
      frontMatter: JSON.stringify(checked.value.frontMatter),
      authorId,
      status: 'draft',
      createdAt: now,
    });
    // The saved revision now holds the working text; the automatic copy would only offer it again.
    await tx
      .delete(handbookAutosaves)
      .where(and(eq(handbookAutosaves.documentId, doc.id), eq(handbookAutosaves.userId, authorId)));
    const brokenLinks = await brokenLinksOf(tx, input, checked.value.frontMatter, checked.value.body);
    return { ok: true, revision, brokenLinks } as const;
  });
}

export type WorkflowResult = { ok: true } | Refusal;

const NO_SUCH_REVISION = refuse('NOT_FOUND', 'That revision does not exist.');
const NOT_LATEST = refuse('CONFLICT', 'A newer revision exists. Open the editor again to work on the newest text.');

function wrongStatus(status: RevisionStatus): Refusal {
  return refuse('BAD_REQUEST', `This revision is ${status}, so that step is not possible now.`);
}

function brokenLinksRefusal(brokenLinks: BrokenLink[]): Refusal {
  return refuse('BAD_REQUEST', `Fix the broken links before this can go further:\n${describeBrokenLinks(brokenLinks)}`);
}

/** Broken links as lines an educator can act on (line and column in the body, or the front matter). */
export function describeBrokenLinks(links: BrokenLink[]): string {
  return links
    .map((l) =>
      l.line > 0 ? `Line ${l.line}, column ${l.column}: ${l.url}: ${l.reason}` : `Front matter: ${l.url}: ${l.reason}`,
    )
    .join('\n');
}

async function latestRevisionFor(tx: DbOrTx, ref: DocumentRef, revision: number) {
  const doc = await findDocument(tx, ref);
  if (!doc) return null;
  const [detail] = await selectRevisions(tx, doc.id, revision);
  if (!detail) return null;
  const latest = await latestRevisionNumber(tx, doc.id);
  return { doc, detail, isLatest: latest === revision };
}

/** Tells the other educators that a revision waits for their review (the author reviews no own text). */
async function mailReviewers(db: Db, deps: ServiceDeps, ref: DocumentRef, revision: number, authorId: string) {
  const what = ref.kind === 'chapter' ? 'A handbook chapter' : 'A curriculum module';
  await mailRole(
    db,
    deps,
    'educator',
    {
      subject: `${what} waits for review`,
      text:
        `${what} ("${ref.slug}", revision ${revision}) was submitted for review. Another educator than its ` +
        `author must approve it or ask for changes before it can be published:\n\n` +
        `${deps.siteUrl}/educator/edit/${ref.kind}/${ref.slug}\n`,
    },
    authorId,
  );
}

/** The author (or another educator) submits the newest draft for review; its links must all work. */
export async function submitForReview(
  db: Db,
  deps: ServiceDeps,
  actorId: string,
  input: DocumentRef & { revision: number },
  now = Date.now(),
): Promise<WorkflowResult> {
  const result = await db.transaction(async (tx) => {
    const found = await latestRevisionFor(tx, input, input.revision);
    if (!found) return NO_SUCH_REVISION;
    if (!found.isLatest) return NOT_LATEST;
    if (found.detail.status !== 'draft') return wrongStatus(found.detail.status);
    const brokenLinks = await brokenLinksOf(tx, input, found.detail.frontMatter, found.detail.body);
    if (brokenLinks.length > 0) return brokenLinksRefusal(brokenLinks);
    await tx
      .update(handbookRevisions)
      .set({ status: 'in-review', submittedAt: now })
      .where(eq(handbookRevisions.id, found.detail.id));
    await writeAudit(
      tx,
      { actorId, action: 'handbook.submitted', subjectId: found.doc.id, details: { ...input } },
      now,
    );
    return { ok: true, authorId: found.detail.authorId ?? actorId } as const;
  });
  if (!result.ok) return result;
  await mailReviewers(db, deps, input, input.revision, result.authorId);
  return { ok: true };
}

/** A second educator approves or requests changes (with a comment). Authors cannot review their own text. */
export async function reviewRevision(
  db: Db,
  reviewerId: string,
  input: DocumentRef & { revision: number; decision: 'approve' | 'request-changes'; comment: string },
  now = Date.now(),
): Promise<WorkflowResult> {
  return db.transaction(async (tx) => {
    const found = await latestRevisionFor(tx, input, input.revision);
    if (!found) return NO_SUCH_REVISION;
    if (found.detail.status !== 'in-review') return wrongStatus(found.detail.status);
    if (found.detail.authorId === reviewerId)
      return refuse('FORBIDDEN', 'You wrote this revision, so another educator must review it.');
    const comment = input.comment.trim();
    if (input.decision === 'request-changes' && comment === '')
      return refuse('BAD_REQUEST', 'Say what needs to change.', {
        comment: 'Say what needs to change, so the author can act on it.',
      });
    await tx
      .update(handbookRevisions)
      .set({
        status: input.decision === 'approve' ? 'approved' : 'changes-requested',
        reviewerId,
        reviewComment: comment || null,
        reviewedAt: now,
      })
      .where(eq(handbookRevisions.id, found.detail.id));
    await writeAudit(
      tx,
      {
        actorId: reviewerId,
        action: input.decision === 'approve' ? 'handbook.approved' : 'handbook.changes-requested',
        subjectId: found.doc.id,
        details: { kind: input.kind, slug: input.slug, revision: input.revision },
      },
      now,
    );
    return { ok: true } as const;
  });
}

/** Publishes an approved revision (the newest one) with a change note; links are checked once more. */
export async function publishRevision(
  db: Db,
  actorId: string,
  input: DocumentRef & { revision: number; changeNote: string },
  meta: RequestMeta,
  now = Date.now(),
): Promise<WorkflowResult> {
  return db.transaction(async (tx) => {
    const found = await latestRevisionFor(tx, input, input.revision);
    if (!found) return NO_SUCH_REVISION;
    if (!found.isLatest) return NOT_LATEST;
    if (found.detail.status !== 'approved') return wrongStatus(found.detail.status);
    const brokenLinks = await brokenLinksOf(tx, input, found.detail.frontMatter, found.detail.body);
    if (brokenLinks.length > 0) return brokenLinksRefusal(brokenLinks);
    await makePublished(
      tx,
      found.doc,
      { id: found.detail.id, title: found.detail.title, body: found.detail.body },
      actorId,
      input.changeNote.trim(),
      now,
    );
    await writeAudit(
      tx,
      {
        actorId,
        action: 'handbook.published',
        subjectId: found.doc.id,
        ipAddress: meta.ipAddress,
        details: { kind: input.kind, slug: input.slug, revision: input.revision, changeNote: input.changeNote.trim() },
      },
      now,
    );
    return { ok: true } as const;
  });
}

export type RollbackResult = { ok: true; revision: number } | Refusal;

/** The shortest reason a rollback accepts: it is what other educators and the audit log read. */
export const ROLLBACK_REASON_MIN = 3;

/**
 * Copies the text of an earlier published revision into a new revision and submits it for review, with the
 * reason as its change note. A rollback is an edit like any other: a second educator approves it and it is
 * published as usual (issue 13: one click used to publish at once, without review or reason). Refused when
 * the newest revision already holds that text (a second click would add a revision with no change).
 */
export async function rollbackTo(
  db: Db,
  deps: ServiceDeps,
  actorId: string,
  input: DocumentRef & { revision: number; changeNote: string },
  meta: RequestMeta,
  now = Date.now(),
): Promise<RollbackResult> {
  const reason = input.changeNote.trim();
  if (reason.length < ROLLBACK_REASON_MIN)
    return refuse('BAD_REQUEST', 'Say why the text goes back to that revision.', {
      changeNote: 'Give the reason for the rollback; the reviewers and the history read it.',
    });
  const result = await db.transaction(async (tx) => {
    const doc = await findDocument(tx, input);
    if (!doc) return NO_SUCH_REVISION;
    const [target] = await selectRevisions(tx, doc.id, input.revision);
    if (!target) return NO_SUCH_REVISION;
    if (target.id === doc.publishedRevisionId)
      return refuse('BAD_REQUEST', 'That revision is the one already published.');
    // Only text that once passed review and was published is offered; a draft goes through review itself.
    if (target.publishedAt === null)
      return refuse(
        'BAD_REQUEST',
        'Only a revision that was published before can be restored; a draft goes through review instead.',
      );
    const latest = await latestRevisionNumber(tx, doc.id);
    const [newest] = await selectRevisions(tx, doc.id, latest);
    if (
      newest &&
      newest.body === target.body &&
      JSON.stringify(newest.frontMatter) === JSON.stringify(target.frontMatter)
    )
      return refuse(
        'CONFLICT',
        `Revision ${latest} already holds the text of revision ${input.revision}; it needs review, not another copy.`,
      );
    const brokenLinks = await brokenLinksOf(tx, input, target.frontMatter, target.body);
    if (brokenLinks.length > 0) return brokenLinksRefusal(brokenLinks);
    const revision = latest + 1;
    await tx.insert(handbookRevisions).values({
      id: newId(),
      documentId: doc.id,
      revision,
      baseRevision: input.revision,
      bodyMarkdown: target.body,
      frontMatter: JSON.stringify(target.frontMatter),
      authorId: actorId,
      status: 'in-review',
      changeNote: reason,
      createdAt: now,
      submittedAt: now,
    });
    await writeAudit(
      tx,
      {
        actorId,
        action: 'handbook.rollback-submitted',
        subjectId: doc.id,
        ipAddress: meta.ipAddress,
        details: { kind: input.kind, slug: input.slug, to: input.revision, newRevision: revision, reason },
      },
      now,
    );
    return { ok: true, revision } as const;
  });
  if (!result.ok) return result;
  await mailReviewers(db, deps, input, result.revision, actorId);
  return result;
}
