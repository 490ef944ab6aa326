/**
 * The item bank: authoring, the review lifecycle (draft → review by a second examiner → live → retired),
 * versioning once an item was delivered, and the bulk JSON import/export (item-format.ts).
 */
import { createHash } from 'node:crypto';
import { and, asc, desc, eq, inArray, isNull } from 'drizzle-orm';
import type { Db, DbOrTx } from '#db/client.ts';
import { examItemFlags, examItemReviews, examItems, examItemVersions, type ItemStatus } from '#db/schema/index.ts';
import { writeAudit } from '../audit.ts';
import { type EngineRunError, engineSpecErrors } from '../exams/engine-frame.ts';
import { bodyFromSource, type EngineOutcome, type ItemBody } from '../exams/item-body.ts';
import {
  ENGINE_OPTION_TEXTS,
  type EngineClass,
  type EngineSpec,
  engineSpecSchema,
  type ItemSource,
  itemDraftSchema,
  itemsFileSchema,
} from '../exams/item-format.ts';
import { lineOfPath, syntaxErrorLine, valueLines } from '../exams/json-lines.ts';
import { newId } from '../ids.ts';
import { type Refusal, refuse } from '../refusal.ts';
import type { RequestMeta } from './deps.ts';

/**
 * Runs the engine for an engine item of a file (exam-engine-items.ts), checking the class it expects; on
 * this thread at content import, in the worker pool on the portal. Null where the engine is not available.
 */
export type EngineResolver = (
  source: Extract<ItemSource, { type: 'engine' }>,
) => EngineOutcome | { error: string } | Promise<EngineOutcome | { error: string }>;

/** Runs the engine for an engine item's spec (in the worker pool): the beat's class and frame, or why not. */
export type EngineRunner = (spec: EngineSpec) => Promise<EngineOutcome | EngineRunError>;

export interface ItemSummary {
  id: string;
  ref: string;
  bank: string;
  status: ItemStatus;
  version: number;
  type: string;
  category: string;
  difficulty: string;
  authorId: string | null;
  updatedAt: number;
}

export interface ItemDetail extends ItemSummary {
  versionId: string;
  source: ItemSource;
  body: ItemBody;
  delivered: boolean;
  reviews: { reviewerId: string | null; decision: 'approve' | 'reject'; comment: string; createdAt: number }[];
}

export function contentHash(source: ItemSource): string {
  return createHash('sha256').update(JSON.stringify(source)).digest('hex');
}

async function buildBody(source: ItemSource, engine: EngineResolver | null): Promise<ItemBody | Refusal> {
  if (source.type !== 'engine') return bodyFromSource(source, null);
  if (!engine) {
    return refuse(
      'BAD_REQUEST',
      `Item ${source.ref}: engine items are rendered by the engine, which is not available here; write them in content/exams/ or on the item bank's pages.`,
    );
  }
  const outcome = await engine(source);
  if ('error' in outcome) return refuse('BAD_REQUEST', `Item ${source.ref}: ${outcome.error}`);
  return bodyFromSource(source, outcome);
}

/** The engine's refusals of a spec, keyed by the item's field paths ("engine.settings.pressureMmHg"). */
function engineFieldErrors(input: unknown): Record<string, string> {
  if (typeof input !== 'object' || input === null || (input as { type?: unknown }).type !== 'engine') return {};
  const spec = (input as { engine?: unknown }).engine;
  if (typeof spec !== 'object' || spec === null) return {};
  const errors = engineSpecErrors(spec as { seed?: unknown; settings?: unknown });
  return Object.fromEntries(Object.entries(errors).map(([path, message]) => [`engine.${path}`, message]));
}

/**
 * The item an examiner wrote on the portal, validated, with its body. An engine item's key is the class the
 * engine gives the asked beat (run in the worker pool): `expect` left out is filled in from it, and one
 * given must agree with it. Invalid settings get the engine's own messages.
 */
async function draftToItem(
  input: unknown,
  engine: EngineRunner | null,
): Promise<{ source: ItemSource; body: ItemBody } | Refusal> {
  const engineErrors = engineFieldErrors(input);
  const parsed = itemDraftSchema.safeParse(input);
  if (!parsed.success || Object.keys(engineErrors).length > 0) {
    const fields = { ...engineErrors };
    if (!parsed.success)
      for (const [path, message] of Object.entries(issuesToFields(parsed.error.issues))) fields[path] ??= message;
    return refuse('BAD_REQUEST', 'Some fields need your attention.', fields);
  }
  const draft = parsed.data;
  if (draft.type !== 'engine') return { source: draft, body: bodyFromSource(draft, null) };
  if (!engine) return refuse('BAD_REQUEST', 'Engine items cannot be written here: the engine is not available.');
  const outcome = await engine(draft.engine);
  if ('error' in outcome)
    return refuse('BAD_REQUEST', `The engine cannot make this item: ${outcome.error}`, {
      [`engine.${outcome.field}`]: outcome.error,
    });
  if (draft.expect !== undefined && draft.expect !== outcome.beatClass) {
    const message = `The engine classifies beat ${draft.engine.beatIndex} as ${outcome.beatClass}, not ${draft.expect}: leave the expectation out and the engine's class becomes the key.`;
    return refuse('BAD_REQUEST', message, { expect: message });
  }
  const source: ItemSource = { ...draft, expect: outcome.beatClass };
  return { source, body: bodyFromSource(source, outcome) };
}

export interface EnginePreview {
  beatClass: EngineClass;
  /** The option text that is the key, for what the item asks (the fault, or the fix). */
  keyText: string;
  frameSvg: string;
}

/** The frame and key an engine spec gives, without writing anything (the item form's preview). */
export async function previewEngineItem(
  input: unknown,
  engine: EngineRunner,
): Promise<({ ok: true } & EnginePreview) | Refusal> {
  const engineErrors = engineFieldErrors({ type: 'engine', engine: input });
  const parsed = engineSpecSchema.safeParse(input);
  if (!parsed.success || Object.keys(engineErrors).length > 0) {
    const fields = { ...engineErrors };
    if (!parsed.success)
      for (const [path, message] of Object.entries(issuesToFields(parsed.error.issues)))
        fields[`engine.${path}`] ??= message;
    return refuse('BAD_REQUEST', 'Some fields need your attention.', fields);
  }
  const outcome = await engine(parsed.data);
  if ('error' in outcome)
    return refuse('BAD_REQUEST', `The engine cannot make this item: ${outcome.error}`, {
      [`engine.${outcome.field}`]: outcome.error,
    });
  return {
    ok: true,
    beatClass: outcome.beatClass,
    keyText: ENGINE_OPTION_TEXTS[parsed.data.ask][outcome.beatClass],
    frameSvg: outcome.frameSvg,
  };
}

export function parseBody(json: string): ItemBody {
  return JSON.parse(json) as ItemBody;
}

async function insertVersion(
  tx: DbOrTx,
  itemId: string,
  version: number,
  source: ItemSource,
  body: ItemBody,
  authorId: string | null,
  now: number,
): Promise<string> {
  const id = newId();
  await tx.insert(examItemVersions).values({
    id,
    itemId,
    version,
    type: source.type,
    category: source.category,
    difficulty: source.difficulty,
    language: source.language,
    sourceJson: JSON.stringify(source),
    bodyJson: JSON.stringify(body),
    contentHash: contentHash(source),
    authorId,
    createdAt: now,
  });
  return id;
}

/**
 * Writes one source into the bank: a new item, or a change to an existing one. A version never delivered
 * is rewritten in place; a delivered one stays frozen and the change becomes the next version. A change
 * made on the portal sends the item back to draft (it is reviewed again before it is drawn); one from the
 * shipped content is live at once (the exam committee reviewed it). Unchanged content writes nothing.
 */
async function upsertSource(
  tx: DbOrTx,
  source: ItemSource,
  body: ItemBody,
  bank: string,
  authorId: string | null,
  live: boolean,
  now: number,
): Promise<'created' | 'updated' | 'versioned' | 'unchanged' | Refusal> {
  const [item] = await tx.select().from(examItems).where(eq(examItems.ref, source.ref));
  if (!item) {
    const itemId = newId();
    await tx.insert(examItems).values({
      id: itemId,
      ref: source.ref,
      bank,
      status: live ? 'live' : 'draft',
      authorId,
      createdAt: now,
      updatedAt: now,
    });
    const versionId = await insertVersion(tx, itemId, 1, source, body, authorId, now);
    await tx.update(examItems).set({ currentVersionId: versionId }).where(eq(examItems.id, itemId));
    if (live) {
      await tx.insert(examItemReviews).values({
        id: newId(),
        itemId,
        versionId,
        reviewerId: null,
        decision: 'approve',
        comment: 'Shipped content, reviewed by the IECPA exam committee.',
        createdAt: now,
      });
    }
    return 'created';
  }
  if (item.status === 'retired') return refuse('CONFLICT', `Item ${source.ref} is retired; write a new item instead.`);
  const [current] = await tx
    .select()
    .from(examItemVersions)
    .where(eq(examItemVersions.id, item.currentVersionId ?? ''));
  if (!current) throw new Error(`Item ${item.id} has no current version`);
  if (current.contentHash === contentHash(source)) return 'unchanged';
  const status: ItemStatus = live ? 'live' : 'draft';
  if (current.deliveredAt === null) {
    await tx
      .update(examItemVersions)
      .set({
        type: source.type,
        category: source.category,
        difficulty: source.difficulty,
        language: source.language,
        sourceJson: JSON.stringify(source),
        bodyJson: JSON.stringify(body),
        contentHash: contentHash(source),
        authorId,
      })
      .where(eq(examItemVersions.id, current.id));
    await tx.update(examItems).set({ status, updatedAt: now }).where(eq(examItems.id, item.id));
    return 'updated';
  }
  const versionId = await insertVersion(tx, item.id, current.version + 1, source, body, authorId, now);
  await tx
    .update(examItems)
    .set({ status, currentVersionId: versionId, updatedAt: now })
    .where(eq(examItems.id, item.id));
  return 'versioned';
}

export async function createItem(
  db: Db,
  authorId: string,
  bank: string,
  input: unknown,
  meta: RequestMeta,
  engine: EngineRunner | null = null,
  now = Date.now(),
): Promise<{ ok: true; id: string } | Refusal> {
  const built = await draftToItem(input, engine);
  if ('ok' in built) return built;
  return db.transaction(async (tx) => {
    const [taken] = await tx.select({ id: examItems.id }).from(examItems).where(eq(examItems.ref, built.source.ref));
    if (taken)
      return refuse('CONFLICT', `An item with ref "${built.source.ref}" already exists. Choose another ref.`, {
        ref: 'This ref is taken.',
      });
    await upsertSource(tx, built.source, built.body, bank, authorId, false, now);
    const [item] = await tx.select({ id: examItems.id }).from(examItems).where(eq(examItems.ref, built.source.ref));
    const id = item?.id as string;
    await writeAudit(
      tx,
      {
        actorId: authorId,
        action: 'exam.item-created',
        subjectId: id,
        ipAddress: meta.ipAddress,
        details: { ref: built.source.ref },
      },
      now,
    );
    return { ok: true as const, id };
  });
}

/** Saves an edit. A delivered version stays as it was (see upsertSource); the item goes back to draft. */
export async function updateItem(
  db: Db,
  actorId: string,
  itemId: string,
  input: unknown,
  meta: RequestMeta,
  engine: EngineRunner | null = null,
  now = Date.now(),
): Promise<{ ok: true; outcome: 'updated' | 'versioned' | 'unchanged' } | Refusal> {
  const built = await draftToItem(input, engine);
  if ('ok' in built) return built;
  return db.transaction(async (tx) => {
    const [item] = await tx.select().from(examItems).where(eq(examItems.id, itemId));
    if (!item) return refuse('NOT_FOUND', 'That item does not exist.');
    if (item.ref !== built.source.ref)
      return refuse('BAD_REQUEST', 'An item keeps its ref.', { ref: `Keep the ref "${item.ref}".` });
    const outcome = await upsertSource(tx, built.source, built.body, item.bank, actorId, false, now);
    if (typeof outcome !== 'string') return outcome;
    if (outcome === 'created') throw new Error('unreachable: the item exists');
    if (outcome !== 'unchanged') {
      await writeAudit(
        tx,
        { actorId, action: 'exam.item-edited', subjectId: itemId, ipAddress: meta.ipAddress, details: { outcome } },
        now,
      );
      // The statistics flagged a delivered version: its revision (a new version) answers the flag.
      if (outcome === 'versioned')
        await tx
          .update(examItemFlags)
          .set({ resolvedAt: now, resolvedBy: actorId, resolution: 'revised' })
          .where(and(eq(examItemFlags.itemId, itemId), isNull(examItemFlags.resolvedAt)));
    }
    return { ok: true as const, outcome };
  });
}

/**
 * Moves an item from `from` to `to` only if it is still in `from`: one conditional update, so two examiners
 * acting at once cannot both succeed. False, with nothing written, when someone else moved it.
 */
async function moveStatus(
  tx: DbOrTx,
  itemId: string,
  from: ItemStatus[],
  to: ItemStatus,
  now: number,
): Promise<boolean> {
  const moved = await tx
    .update(examItems)
    .set({ status: to, updatedAt: now })
    .where(and(eq(examItems.id, itemId), inArray(examItems.status, from)))
    .returning({ id: examItems.id });
  return moved.length === 1;
}

export async function submitForReview(
  db: Db,
  actorId: string,
  itemId: string,
  now = Date.now(),
): Promise<{ ok: true } | Refusal> {
  return db.transaction(async (tx) => {
    const [item] = await tx.select().from(examItems).where(eq(examItems.id, itemId));
    if (!item) return refuse('NOT_FOUND', 'That item does not exist.');
    if (!(await moveStatus(tx, itemId, ['draft'], 'review', now))) {
      return refuse('CONFLICT', `This item is ${item.status}; only a draft is sent for review.`);
    }
    await writeAudit(tx, { actorId, action: 'exam.item-submitted', subjectId: itemId }, now);
    return { ok: true as const };
  });
}

/** A second examiner's decision: approve makes the item live, reject returns it to draft. */
export async function reviewItem(
  db: Db,
  reviewerId: string,
  itemId: string,
  decision: 'approve' | 'reject',
  comment: string,
  meta: RequestMeta,
  now = Date.now(),
): Promise<{ ok: true; status: ItemStatus } | Refusal> {
  return db.transaction(async (tx) => {
    const [item] = await tx.select().from(examItems).where(eq(examItems.id, itemId));
    if (!item) return refuse('NOT_FOUND', 'That item does not exist.');
    const [version] = await tx
      .select()
      .from(examItemVersions)
      .where(eq(examItemVersions.id, item.currentVersionId ?? ''));
    if (item.authorId === reviewerId || version?.authorId === reviewerId) {
      return refuse('FORBIDDEN', 'You wrote this item (or this version of it); a second examiner reviews it.');
    }
    if (item.status !== 'review')
      return refuse('CONFLICT', `This item is ${item.status}; only an item sent for review is reviewed.`);
    const to: ItemStatus = decision === 'approve' ? 'live' : 'draft';
    if (!(await moveStatus(tx, itemId, ['review'], to, now)))
      return refuse('CONFLICT', 'Someone else reviewed this item a moment ago.');
    await tx.insert(examItemReviews).values({
      id: newId(),
      itemId,
      versionId: item.currentVersionId as string,
      reviewerId,
      decision,
      comment,
      createdAt: now,
    });
    await writeAudit(
      tx,
      {
        actorId: reviewerId,
        action: `exam.item-${decision === 'approve' ? 'approved' : 'rejected'}`,
        subjectId: itemId,
        ipAddress: meta.ipAddress,
      },
      now,
    );
    return { ok: true as const, status: to };
  });
}

/** Retires an item: it is never drawn again; its open flags are resolved as retired. */
export async function retireItem(
  db: Db,
  actorId: string,
  itemId: string,
  meta: RequestMeta,
  now = Date.now(),
): Promise<{ ok: true } | Refusal> {
  return db.transaction(async (tx) => {
    const [item] = await tx.select().from(examItems).where(eq(examItems.id, itemId));
    if (!item) return refuse('NOT_FOUND', 'That item does not exist.');
    if (!(await moveStatus(tx, itemId, ['draft', 'review', 'live'], 'retired', now)))
      return refuse('CONFLICT', 'This item is already retired.');
    await tx
      .update(examItemFlags)
      .set({ resolvedAt: now, resolvedBy: actorId, resolution: 'retired' })
      .where(and(eq(examItemFlags.itemId, itemId), isNull(examItemFlags.resolvedAt)));
    await writeAudit(tx, { actorId, action: 'exam.item-retired', subjectId: itemId, ipAddress: meta.ipAddress }, now);
    return { ok: true as const };
  });
}

export async function listItems(
  db: Db,
  filter: { bank?: string | undefined; status?: ItemStatus | undefined } = {},
): Promise<ItemSummary[]> {
  const rows = await db
    .select({
      id: examItems.id,
      ref: examItems.ref,
      bank: examItems.bank,
      status: examItems.status,
      version: examItemVersions.version,
      type: examItemVersions.type,
      category: examItemVersions.category,
      difficulty: examItemVersions.difficulty,
      authorId: examItems.authorId,
      updatedAt: examItems.updatedAt,
    })
    .from(examItems)
    .innerJoin(examItemVersions, eq(examItemVersions.id, examItems.currentVersionId))
    .where(
      and(
        filter.bank === undefined ? undefined : eq(examItems.bank, filter.bank),
        filter.status === undefined ? undefined : eq(examItems.status, filter.status),
      ),
    )
    .orderBy(asc(examItems.ref));
  return rows.map((r) => ({ ...r, status: r.status as ItemStatus }));
}

export async function getItem(db: Db, itemId: string): Promise<ItemDetail | null> {
  const [item] = await db.select().from(examItems).where(eq(examItems.id, itemId));
  if (!item) return null;
  const [version] = await db
    .select()
    .from(examItemVersions)
    .where(eq(examItemVersions.id, item.currentVersionId ?? ''));
  if (!version) return null;
  const reviews = await db
    .select({
      reviewerId: examItemReviews.reviewerId,
      decision: examItemReviews.decision,
      comment: examItemReviews.comment,
      createdAt: examItemReviews.createdAt,
    })
    .from(examItemReviews)
    .where(eq(examItemReviews.itemId, itemId))
    .orderBy(desc(examItemReviews.createdAt));
  return {
    id: item.id,
    ref: item.ref,
    bank: item.bank,
    status: item.status as ItemStatus,
    version: version.version,
    versionId: version.id,
    type: version.type,
    category: version.category,
    difficulty: version.difficulty,
    authorId: item.authorId,
    updatedAt: item.updatedAt,
    source: JSON.parse(version.sourceJson) as ItemSource,
    body: parseBody(version.bodyJson),
    delivered: version.deliveredAt !== null,
    reviews: reviews.map((r) => ({ ...r, decision: r.decision as 'approve' | 'reject' })),
  };
}

function issuesToFields(issues: readonly { path: readonly PropertyKey[]; message: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of issues) out[issue.path.map(String).join('.') || '_'] ??= issue.message;
  return out;
}

/** Stands in for the body of an item whose content has not changed (never written). */
const UNCHANGED_BODY = {
  type: 'true-false',
  key: true,
  stem: '',
  rationale: '',
  references: [],
  image: null,
  frameSvg: null,
} as ItemBody;

export interface ImportError {
  line: number;
  path: string;
  message: string;
}

export type ImportResult =
  | { ok: true; created: number; updated: number; versioned: number; unchanged: number }
  | { ok: false; message: string; errors: ImportError[] };

const MAX_REPORTED_ERRORS = 50;

/** Parses an items file, with every problem located by line. */
export function parseItemsFile(text: string): { ok: true; items: ItemSource[] } | { ok: false; errors: ImportError[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const line = error instanceof SyntaxError ? syntaxErrorLine(text, error) : 1;
    return { ok: false, errors: [{ line, path: '', message: `This is not valid JSON: ${(error as Error).message}` }] };
  }
  const parsed = itemsFileSchema.safeParse(raw);
  if (parsed.success) return { ok: true, items: parsed.data.items };
  const lines = valueLines(text);
  const errors = parsed.error.issues.slice(0, MAX_REPORTED_ERRORS).map((issue) => ({
    line: lineOfPath(lines, issue.path),
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
  return { ok: false, errors: errors.sort((a, b) => a.line - b.line) };
}

/**
 * Imports an items file, all or nothing: when any item is invalid (or an engine item's class is not what
 * it expects, or a ref is retired) nothing is written and every error is reported with its line. From the
 * portal (`live` false) new and changed items are drafts; from the shipped content they are live.
 */
export async function importItems(
  db: Db,
  actorId: string | null,
  bank: string,
  text: string,
  options: {
    live: boolean;
    engine: EngineResolver | null;
    meta?: RequestMeta;
    /** Most new or changed engine items one import may run the engine for (the portal's limit per request). */
    maxEngineRuns?: number;
  },
  now = Date.now(),
): Promise<ImportResult> {
  const parsed = parseItemsFile(text);
  if (!parsed.ok)
    return {
      ok: false,
      message: 'Nothing was imported: fix the lines below and import the file again.',
      errors: parsed.errors,
    };
  const lines = valueLines(text);
  const bodies: ItemBody[] = [];
  const errors: ImportError[] = [];
  // Unchanged items need no body (and engine items no simulation): upsertSource writes nothing for them.
  const current = await db
    .select({ ref: examItems.ref, contentHash: examItemVersions.contentHash })
    .from(examItems)
    .innerJoin(examItemVersions, eq(examItemVersions.id, examItems.currentVersionId));
  const hashes = new Map(current.map((r) => [r.ref, r.contentHash]));
  const engineRuns = parsed.items
    .map((source, n) => ({ source, n }))
    .filter(({ source }) => source.type === 'engine' && hashes.get(source.ref) !== contentHash(source));
  const overLimit = options.maxEngineRuns === undefined ? undefined : engineRuns[options.maxEngineRuns];
  if (overLimit && options.maxEngineRuns !== undefined)
    return {
      ok: false,
      message: 'Nothing was imported: the file has too many new or changed engine items for one import.',
      errors: [
        {
          line: lineOfPath(lines, ['items', overLimit.n]),
          path: `items.${overLimit.n}`,
          message: `${engineRuns.length} new or changed engine items; one import runs the engine for at most ${options.maxEngineRuns}. Split the file.`,
        },
      ],
    };
  for (const [n, source] of parsed.items.entries()) {
    if (hashes.get(source.ref) === contentHash(source)) {
      bodies.push(UNCHANGED_BODY);
      continue;
    }
    const body = await buildBody(source, options.engine);
    if ('ok' in body) errors.push({ line: lineOfPath(lines, ['items', n]), path: `items.${n}`, message: body.message });
    else bodies.push(body);
  }
  if (errors.length > 0)
    return { ok: false, message: 'Nothing was imported: fix the lines below and import the file again.', errors };
  try {
    return await db.transaction(async (tx) => {
      const counts = { created: 0, updated: 0, versioned: 0, unchanged: 0 };
      for (const [n, source] of parsed.items.entries()) {
        const outcome = await upsertSource(tx, source, bodies[n] as ItemBody, bank, actorId, options.live, now);
        if (typeof outcome !== 'string')
          throw new ImportRefused({
            line: lineOfPath(lines, ['items', n]),
            path: `items.${n}`,
            message: outcome.message,
          });
        counts[outcome]++;
      }
      if (counts.created + counts.updated + counts.versioned > 0) {
        await writeAudit(
          tx,
          {
            actorId,
            action: 'exam.items-imported',
            ipAddress: options.meta?.ipAddress ?? null,
            details: { bank, ...counts },
          },
          now,
        );
      }
      return { ok: true as const, ...counts };
    });
  } catch (error) {
    if (error instanceof ImportRefused)
      return {
        ok: false,
        message: 'Nothing was imported: fix the lines below and import the file again.',
        errors: [error.detail],
      };
    throw error;
  }
}

class ImportRefused extends Error {
  readonly detail: ImportError;
  constructor(detail: ImportError) {
    super(detail.message);
    this.detail = detail;
  }
}

/** The bank's current versions as an items file (the import format), in ref order. */
export async function exportItems(db: Db, bank: string): Promise<string> {
  const rows = await db
    .select({ sourceJson: examItemVersions.sourceJson })
    .from(examItems)
    .innerJoin(examItemVersions, eq(examItemVersions.id, examItems.currentVersionId))
    .where(eq(examItems.bank, bank))
    .orderBy(asc(examItems.ref));
  return `${JSON.stringify({ format: 'iecpa-items/1', items: rows.map((r) => JSON.parse(r.sourceJson)) }, null, 2)}\n`;
}
