/**
 * Closing an account: the member asks (with their password), an admin confirms or declines, and on
 * confirmation the member's personal data is erased in one transaction. What the association must keep
 * (membership number and history, certification and CPD records, consents, authored handbook text, the
 * audit trail) stays under the user's id, which then names only a pseudonym ("Former member 1a2b3c").
 *
 * Every table that refers to users must have a rule in ERASURE_RULES: erasure refuses to run while one
 * is missing (and a test fails), so a table added later cannot silently keep personal data.
 *
 * SQLite leaves deleted content in free pages until it is overwritten, unless the connection runs with
 * `PRAGMA secure_delete = ON` (measured after a checkpoint: 7 copies of an erased email left in the file
 * without it, none with it). The erasure's own transactions switch it on for the connection they hold; the
 * WAL keeps the old frames until the next checkpoint rewrites the file.
 */
import { and, desc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '#db/client.ts';
import { accountClosureRequests, memberships, users } from '#db/schema/index.ts';
import { writeAudit } from '../audit.ts';
import { hashPassword } from '../auth/password.ts';
import { rateLimitAddress } from '../auth/rate-limit.ts';
import { newId, newSecret } from '../ids.ts';
import { type Refusal, refuse } from '../refusal.ts';
import { deleteStoredFile } from '../uploads.ts';
import { checkCurrentPassword, TOO_MANY } from './accounts.ts';
import type { RequestMeta, ServiceDeps } from './deps.ts';
import { recordMembershipEvent } from './membership-lifecycle.ts';
import {
  listStoredFiles,
  type Person,
  readSchemaMap,
  type SchemaMap,
  type StoredFileRef,
  tablesReferencingUsers,
  userReferences,
} from './personal-data.ts';
import { mailRole } from './role-mail.ts';

/**
 * What erasure does with the rows a person owns (rows where they only acted on someone else's record
 * keep their id, which becomes a pseudonym):
 * - delete: personal data the association has no reason to keep;
 * - keep: records the association must keep, pseudonymous through the id; the person's name and email
 *   are replaced by the pseudonym in their text columns, and `reset` columns get fixed values;
 * - special: handled by name in eraseUser (users, memberships, the audit log).
 */
export type ErasureRule =
  | { action: 'delete'; why: string }
  | { action: 'keep'; why: string; reset?: Record<string, string | number | null> }
  | { action: 'special'; why: string };

export const ERASURE_RULES: Readonly<Record<string, ErasureRule>> = {
  users: { action: 'special', why: 'Becomes the pseudonym: name, email, country, profession and password replaced.' },
  user_roles: { action: 'delete', why: 'An erased account holds no roles.' },
  sessions: { action: 'delete', why: 'Signed out everywhere; holds IP addresses and browsers.' },
  user_tokens: { action: 'delete', why: 'Links in mail to an address that is gone.' },
  totp_credentials: { action: 'delete', why: 'Second factor of an account nobody can sign in to.' },
  recovery_codes: { action: 'delete', why: 'As the second factor.' },
  consents: {
    action: 'keep',
    why: 'Proof of which code of ethics and listing terms were accepted, and when (version and time only).',
  },
  audit_log: { action: 'special', why: 'Kept as the trail; IP address cleared and details redacted (0007).' },
  mail_outbox: { action: 'special', why: "Mail to the address deleted; the name in others' mail replaced." },
  rate_limits: { action: 'special', why: 'Counters keyed by the email or the addresses used: deleted.' },
  membership_applications: { action: 'delete', why: 'Professional details, licence numbers and documents.' },
  membership_application_events: { action: 'delete', why: 'The conversation about the application.' },
  membership_documents: { action: 'delete', why: 'Uploaded evidence; the files are removed too.' },
  memberships: { action: 'special', why: 'Kept as resigned with its number (pseudonymous).' },
  membership_events: { action: 'keep', why: 'The membership history behind the number.' },
  membership_payments: { action: 'keep', why: 'Payment records the association must keep for its accounts.' },
  membership_reminders: { action: 'delete', why: 'Operational: which reminder mails went out.' },
  member_profiles: { action: 'delete', why: 'Bio, practice, location, languages, specialties, photo.' },
  member_directory_search: { action: 'delete', why: 'The directory index entry.' },
  account_closure_requests: {
    action: 'keep',
    why: "That the account was closed at the member's request; the reason they gave is cleared.",
    reset: { reason: '' },
  },
  cpd_activities: { action: 'keep', why: 'Certification history: the CPD log.' },
  module_completions: { action: 'keep', why: 'Certification history: credits earned.' },
  level_certificates: {
    action: 'keep',
    why: 'Certification history: the certificate numbers issued (they no longer verify once the account is closed).',
  },
  quiz_attempts: { action: 'delete', why: 'Self-check practice, not certification.' },
  quiz_draws: { action: 'delete', why: 'Which self-check questions were drawn for the person.' },
  reading_progress: { action: 'delete', why: 'Reading marks, not certification.' },
  simulator_practice_sessions: { action: 'delete', why: 'Practice runs, not certification.' },
  simulator_attempts: { action: 'keep', why: 'Certification history: scored assessment attempts.' },
  simulator_attempt_annotations: { action: 'keep', why: "Examiners' notes on those attempts." },
  simulator_assessments: { action: 'keep', why: 'Assessments the person wrote (by id).' },
  simulator_assessment_versions: { action: 'keep', why: 'As the assessments.' },
  handbook_revisions: { action: 'keep', why: 'Published and reviewed text (by author id).' },
  handbook_autosaves: { action: 'delete', why: 'Unsaved editor text.' },
  exam_attempts: { action: 'keep', why: 'Certification history: theory exam attempts, scores and results.' },
  exam_answers: { action: 'keep', why: 'The answers behind those scores (by attempt; no personal text).' },
  exam_accommodations: { action: 'delete', why: 'Extra time granted: may reflect health; not needed once closed.' },
  exam_items: { action: 'keep', why: 'Exam items the person wrote (by author id).' },
  exam_item_versions: { action: 'keep', why: 'As the items.' },
  exam_item_reviews: { action: 'keep', why: "Reviews of items (by reviewer id): the bank's quality record." },
  exam_angoff_ratings: { action: 'keep', why: 'Standard-setting ratings behind a published pass mark.' },
  exam_item_flags: { action: 'keep', why: 'Item review flags (resolved by id).' },
  exams: { action: 'keep', why: 'Exams the person set up (by id).' },
  contact_messages: { action: 'delete', why: 'Messages the person sent through the contact page.' },
  credentials: {
    action: 'keep',
    why: 'Certification history: the credential record stays, pseudonymous; the registry no longer lists it.',
  },
  credential_events: { action: 'keep', why: 'The credential history behind the record (by id).' },
  credential_reminders: { action: 'delete', why: 'Operational: which reminder mails went out.' },
  credential_definition_versions: { action: 'keep', why: 'Credential definitions the person wrote (by id).' },
  registry_preferences: { action: 'delete', why: 'The name shown in the public registry.' },
  journal_editors: { action: 'delete', why: 'The editor-in-chief flag of an account that is closed.' },
  journal_submissions: { action: 'keep', why: 'The editorial record of submitted manuscripts (by submitter id).' },
  journal_files: { action: 'keep', why: 'Manuscripts and reviews belong to the editorial record.' },
  journal_events: { action: 'keep', why: 'The editorial history of submissions.' },
  journal_reviews: { action: 'keep', why: 'Peer reviews behind published decisions (by reviewer id).' },
  journal_decisions: { action: 'keep', why: 'Editorial decisions (by editor id).' },
  journal_notices: { action: 'keep', why: 'Corrections and retractions are part of the scholarly record.' },
  journal_translations: { action: 'keep', why: 'Translations published or in progress (by translator id).' },
};

/** Tables referring to users (by foreign key or PERSON_COLUMNS) that have no erasure rule. */
export function tablesWithoutErasureRule(schema: SchemaMap): string[] {
  const probe: Person = { id: '', email: '' };
  const referring = new Set([...tablesReferencingUsers(schema), ...userReferences(schema, probe).map((r) => r.table)]);
  return [...referring].filter((t) => !ERASURE_RULES[t]).sort();
}

export const CLOSURE_REASON_MAX = 1000;
export const CLOSURE_NOTE_MAX = 1000;

/** Names the pseudonym: a short, stable part of the id, so admins can tell former members apart. */
export function pseudonymFor(userId: string): { name: string; email: string } {
  return { name: `Former member ${userId.slice(0, 6)}`, email: `erased-${userId}@erased.invalid` };
}

/** ISO 3166 user-assigned code that CLDR names "Unknown Region": no country is claimed. */
const ERASED_COUNTRY = 'ZZ';
const ERASED_PROFESSION = 'other';

// ---------------------------------------------------------------- the member's side

export interface ClosureRequestView {
  id: string;
  status: 'requested' | 'completed' | 'cancelled' | 'declined';
  requestedAt: number;
  reason: string;
  decidedAt: number | null;
  decisionNote: string | null;
}

/** The member's latest closure request, or null when they never asked. */
export async function latestClosureRequest(db: DbOrTx, userId: string): Promise<ClosureRequestView | null> {
  const rows = await db
    .select({
      id: accountClosureRequests.id,
      status: accountClosureRequests.status,
      requestedAt: accountClosureRequests.requestedAt,
      reason: accountClosureRequests.reason,
      decidedAt: accountClosureRequests.decidedAt,
      decisionNote: accountClosureRequests.decisionNote,
    })
    .from(accountClosureRequests)
    .where(eq(accountClosureRequests.userId, userId))
    .orderBy(desc(accountClosureRequests.requestedAt), desc(accountClosureRequests.id))
    .limit(1);
  return rows[0] ?? null;
}

export type RequestClosureResult = { ok: true; requestId: string } | Refusal;

/** The member asks to close their account; their password confirms it is them. Mails a receipt. */
export async function requestClosure(
  db: Db,
  deps: ServiceDeps,
  userId: string,
  input: { reason: string; password: string },
  meta: RequestMeta,
  now = Date.now(),
): Promise<RequestClosureResult> {
  const found = await db
    .select({ name: users.name, email: users.email, erasedAt: users.erasedAt })
    .from(users)
    .where(eq(users.id, userId));
  const user = found[0];
  const current = await checkCurrentPassword(db, userId, input.password, now);
  if (current === 'too-many') return TOO_MANY;
  if (!user || user.erasedAt !== null || current === 'wrong') {
    return refuse('BAD_REQUEST', 'That is not your current password. Try again.', {
      password: 'That is not your current password. Try again.',
    });
  }
  const requestId = newId();
  const created = await db.transaction(async (tx) => {
    const open = await tx
      .select({ id: accountClosureRequests.id })
      .from(accountClosureRequests)
      .where(and(eq(accountClosureRequests.userId, userId), eq(accountClosureRequests.status, 'requested')));
    if (open.length > 0) return false;
    await tx.insert(accountClosureRequests).values({
      id: requestId,
      userId,
      requestedAt: now,
      reason: input.reason.trim(),
      status: 'requested',
    });
    await writeAudit(
      tx,
      {
        actorId: userId,
        action: 'account.closure-requested',
        subjectId: userId,
        ipAddress: meta.ipAddress,
        details: { requestId },
      },
      now,
    );
    return true;
  });
  if (!created)
    return refuse('CONFLICT', 'You have already asked to close your account. An administrator will confirm it soon.');
  await deps.mailer.send(db, {
    to: user.email,
    subject: 'We received your request to close your IECPA account',
    text: `Dear ${user.name},\n\nWe received your request to close your IECPA account. An administrator will confirm it; you will get another mail when that is done. Until then you can still sign in, download your data (${deps.siteUrl}/account/data) and withdraw the request there.\n\nWhen the account is closed, your personal data is erased. The association keeps your membership number and history, your certification and CPD records and the audit trail under a pseudonym that no longer names you.`,
  });
  await mailRole(db, deps, 'admin', {
    subject: 'A member asked to close their account',
    text: `A member asked to close their IECPA account. Confirm or decline the request at ${deps.siteUrl}/admin/closures.`,
  });
  return { ok: true, requestId };
}

/** Withdraws the member's open request; refused when there is none. */
export async function cancelClosure(
  db: Db,
  userId: string,
  meta: RequestMeta,
  now = Date.now(),
): Promise<{ ok: true } | Refusal> {
  return db.transaction(async (tx): Promise<{ ok: true } | Refusal> => {
    const rows = await tx
      .update(accountClosureRequests)
      .set({ status: 'cancelled', decidedAt: now, decidedBy: userId })
      .where(and(eq(accountClosureRequests.userId, userId), eq(accountClosureRequests.status, 'requested')))
      .returning({ id: accountClosureRequests.id });
    const row = rows[0];
    if (!row) return refuse('NOT_FOUND', 'You have no open request to close your account.');
    await writeAudit(
      tx,
      {
        actorId: userId,
        action: 'account.closure-cancelled',
        subjectId: userId,
        ipAddress: meta.ipAddress,
        details: { requestId: row.id },
      },
      now,
    );
    return { ok: true };
  });
}

// ---------------------------------------------------------------- the admins' side

export interface ClosureListItem {
  id: string;
  userId: string;
  /** The member's name; the pseudonym once erased. */
  name: string;
  email: string;
  membershipNumber: string | null;
  status: ClosureRequestView['status'];
  requestedAt: number;
  reason: string;
  decidedAt: number | null;
  decisionNote: string | null;
}

export const CLOSURES_DECIDED_SHOWN = 20;

/** Open requests (oldest first) and the latest decided ones (newest first). */
export async function listClosureRequests(
  db: DbOrTx,
): Promise<{ open: ClosureListItem[]; decided: ClosureListItem[] }> {
  const columns = {
    id: accountClosureRequests.id,
    userId: accountClosureRequests.userId,
    name: users.name,
    email: users.email,
    membershipNumber: memberships.number,
    status: accountClosureRequests.status,
    requestedAt: accountClosureRequests.requestedAt,
    reason: accountClosureRequests.reason,
    decidedAt: accountClosureRequests.decidedAt,
    decisionNote: accountClosureRequests.decisionNote,
  };
  const base = () =>
    db
      .select(columns)
      .from(accountClosureRequests)
      .innerJoin(users, eq(users.id, accountClosureRequests.userId))
      .leftJoin(memberships, eq(memberships.userId, accountClosureRequests.userId));
  const open = await base()
    .where(eq(accountClosureRequests.status, 'requested'))
    .orderBy(accountClosureRequests.requestedAt, accountClosureRequests.id);
  const decided = await base()
    .where(inArray(accountClosureRequests.status, ['completed', 'declined', 'cancelled']))
    .orderBy(desc(accountClosureRequests.decidedAt), desc(accountClosureRequests.id))
    .limit(CLOSURES_DECIDED_SHOWN);
  return { open, decided };
}

export type DecideClosureResult = { ok: true } | Refusal;

const NO_SUCH_REQUEST = refuse('NOT_FOUND', 'There is no such closure request. Reload the list.');
const REQUEST_NOT_OPEN = refuse(
  'CONFLICT',
  'This request has already been decided or withdrawn. Reload the list to see its state.',
);

interface OpenRequest {
  id: string;
  userId: string;
  status: string;
}

async function findRequest(db: DbOrTx, requestId: string): Promise<OpenRequest | null> {
  const rows = await db
    .select({
      id: accountClosureRequests.id,
      userId: accountClosureRequests.userId,
      status: accountClosureRequests.status,
    })
    .from(accountClosureRequests)
    .where(eq(accountClosureRequests.id, requestId));
  return rows[0] ?? null;
}

/** An admin declines a request with a note the member reads; the member is mailed. */
export async function declineClosure(
  db: Db,
  deps: ServiceDeps,
  adminId: string,
  input: { requestId: string; note: string },
  meta: RequestMeta,
  now = Date.now(),
): Promise<DecideClosureResult> {
  const request = await findRequest(db, input.requestId);
  if (!request) return NO_SUCH_REQUEST;
  const note = input.note.trim();
  const declined = await db.transaction(async (tx) => {
    const rows = await tx
      .update(accountClosureRequests)
      .set({ status: 'declined', decidedBy: adminId, decidedAt: now, decisionNote: note })
      .where(and(eq(accountClosureRequests.id, request.id), eq(accountClosureRequests.status, 'requested')))
      .returning({ id: accountClosureRequests.id });
    if (rows.length === 0) return false;
    await writeAudit(
      tx,
      {
        actorId: adminId,
        action: 'account.closure-declined',
        subjectId: request.userId,
        ipAddress: meta.ipAddress,
        details: { requestId: request.id },
      },
      now,
    );
    return true;
  });
  if (!declined) return REQUEST_NOT_OPEN;
  const member = (
    await db.select({ name: users.name, email: users.email }).from(users).where(eq(users.id, request.userId))
  )[0];
  if (member) {
    await deps.mailer.send(db, {
      to: member.email,
      subject: 'Your request to close your IECPA account',
      text: `Dear ${member.name},\n\nAn administrator has not closed your IECPA account, and gave this reason:\n\n${note}\n\nYour account stays open. If you still want it closed, reply to the administrator's points and ask again at ${deps.siteUrl}/account/data.`,
    });
  }
  return { ok: true };
}

/**
 * An admin confirms a request: the member's personal data is erased (eraseUser) in one transaction, the
 * uploaded files are removed, and the member gets a last mail at the old address (its outbox row is then
 * readdressed to the pseudonym).
 */
export async function confirmClosure(
  db: Db,
  deps: ServiceDeps,
  adminId: string,
  input: { requestId: string; note: string },
  meta: RequestMeta,
  options: { uploadDir: string },
  now = Date.now(),
): Promise<{ ok: true; membershipNumber?: string | null } | Refusal> {
  const request = await findRequest(db, input.requestId);
  if (!request) return NO_SUCH_REQUEST;
  if (request.status !== 'requested') return REQUEST_NOT_OPEN;
  // Someone else confirms: an admin cannot erase themselves (and so the last admin never disappears).
  if (request.userId === adminId)
    return refuse('FORBIDDEN', 'You cannot confirm the closure of your own account. Another administrator must do it.');
  const missing = tablesWithoutErasureRule(await readSchemaMap(db));
  // A developer's omission, but said plainly (an internal error's message is hidden from the admin).
  if (missing.length > 0)
    return refuse(
      'PRECONDITION_FAILED',
      `Erasure has no rule for the table(s) ${missing.join(', ')} yet, so nothing was changed. Ask the developers to add one (ERASURE_RULES).`,
    );
  const randomPasswordHash = await hashPassword(newSecret());

  const outcome = await db.transaction(async (tx) => {
    const claimed = await tx
      .update(accountClosureRequests)
      .set({ status: 'completed', decidedBy: adminId, decidedAt: now, decisionNote: input.note.trim() })
      .where(and(eq(accountClosureRequests.id, request.id), eq(accountClosureRequests.status, 'requested')))
      .returning({ id: accountClosureRequests.id });
    if (claimed.length === 0) return null;
    const erased = await eraseUser(tx, request.userId, { actorId: adminId, passwordHash: randomPasswordHash, now });
    await writeAudit(
      tx,
      {
        actorId: adminId,
        action: 'account.erased',
        subjectId: request.userId,
        ipAddress: meta.ipAddress,
        details: { requestId: request.id, files: erased.files.length },
      },
      now,
    );
    return erased;
  });
  if (!outcome) return REQUEST_NOT_OPEN;

  for (const file of outcome.files) await deleteStoredFile(options.uploadDir, file.folder, file.storedName);
  const pseudonym = pseudonymFor(request.userId);
  await deps.mailer.send(db, {
    to: outcome.formerEmail,
    subject: 'Your IECPA account is closed',
    text: `Your IECPA account has been closed as you asked, and your personal data has been erased.${
      outcome.membershipNumber
        ? ` Membership number ${outcome.membershipNumber} is kept as resigned,`
        : ' The association keeps'
    } with your certification and CPD records and the audit trail, under a pseudonym that no longer names you.\n\nThis is the last mail we send to this address; we do not keep it.`,
  });
  // The receipt stays in the outbox (mail records), but not the address.
  await db.transaction(async (tx) => {
    await tx.run(sql`PRAGMA secure_delete = ON`);
    await tx.run(
      sql`update mail_outbox set to_address = ${pseudonym.email}, error = replace(error, ${outcome.formerEmail}, ${pseudonym.email}) where to_address = ${outcome.formerEmail}`,
    );
  });
  return { ok: true, membershipNumber: outcome.membershipNumber };
}

export interface ErasureOutcome {
  formerEmail: string;
  membershipNumber: string | null;
  /** Files to remove once the transaction has committed. */
  files: StoredFileRef[];
}

/**
 * Erases one user's personal data inside the caller's transaction, following ERASURE_RULES. Throws when a
 * table has no rule (nothing is written then: the transaction rolls back).
 */
export async function eraseUser(
  tx: DbOrTx,
  userId: string,
  options: { actorId: string; passwordHash: string; now: number },
): Promise<ErasureOutcome> {
  const { now } = options;
  // Deleted and overwritten content is zeroed on disk rather than left in free pages and free space within
  // pages (a per-connection setting: it applies to the connection this transaction holds).
  await tx.run(sql`PRAGMA secure_delete = ON`);
  const schema = await readSchemaMap(tx);
  const missing = tablesWithoutErasureRule(schema);
  if (missing.length > 0) throw new Error(`No erasure rule for table(s): ${missing.join(', ')}`);
  const found = await tx
    .select({ id: users.id, name: users.name, email: users.email })
    .from(users)
    .where(eq(users.id, userId));
  const user = found[0];
  if (!user) throw new Error(`No user ${userId} to erase`);
  const person: Person = { id: user.id, email: user.email };
  const pseudonym = pseudonymFor(user.id);
  const files = await listStoredFiles(tx, schema, person);
  const addresses = await ipAddressesOf(tx, user.id);

  const membership = (await tx.select().from(memberships).where(eq(memberships.userId, user.id)))[0];
  if (membership && membership.status !== 'resigned') {
    await tx
      .update(memberships)
      .set({ status: 'resigned', statusChangedAt: now, statusReason: "Account closed at the member's request." })
      .where(eq(memberships.userId, user.id));
    await recordMembershipEvent(tx, {
      userId: user.id,
      at: now,
      actorId: options.actorId,
      kind: 'resigned',
      fromStatus: membership.status,
      toStatus: 'resigned',
      reason: "Account closed at the member's request.",
    });
  }

  const references = userReferences(schema, person);
  // The audit trail first, while the records its rows are about (applications, documents) still exist to be
  // recognised. The trigger (migration 0007) allows exactly this change: IP cleared, details replaced by
  // the marker; who (by id), what and when stay.
  const auditReference = references.find((r) => r.table === 'audit_log');
  const auditRows = auditReference && orConditions([auditReference.owner, auditReference.actor]);
  if (auditRows) {
    await tx.run(sql`update audit_log set ip_address = null, details = '{"redacted":true}' where ${auditRows}`);
  }
  // Deletes first (children before parents is not needed: the foreign keys cascade), then the scrubbing of
  // what is kept, so nothing is scrubbed that is about to go.
  for (const ref of references) {
    const rule = ERASURE_RULES[ref.table];
    if (rule?.action === 'delete' && ref.owner) {
      await tx.run(sql`delete from ${sql.identifier(ref.table)} where ${ref.owner}`);
    }
  }
  for (const ref of references) {
    const rule = ERASURE_RULES[ref.table];
    if (rule?.action !== 'keep' || !ref.owner) continue;
    for (const [column, value] of Object.entries(rule.reset ?? {})) {
      await tx.run(
        sql`update ${sql.identifier(ref.table)} set ${sql.identifier(column)} = ${value} where ${ref.owner}`,
      );
    }
    await replacePersonText(tx, schema, ref.table, ref.owner, user, pseudonym);
  }

  await tx
    .update(users)
    .set({
      name: pseudonym.name,
      email: pseudonym.email,
      country: ERASED_COUNTRY,
      profession: ERASED_PROFESSION,
      passwordHash: options.passwordHash,
      emailVerifiedAt: null,
      erasedAt: now,
      updatedAt: now,
    })
    .where(eq(users.id, user.id));

  await tx.run(sql`delete from mail_outbox where to_address = ${user.email}`);
  // Mail to others (an admin told of an application) may name the person.
  await replacePersonText(tx, schema, 'mail_outbox', sql`1 = 1`, user, pseudonym);
  await tx.run(sql`delete from rate_limits where substr(key, -${user.email.length + 1}) = ${`:${user.email}`}`);
  for (const address of addresses) {
    const counted = rateLimitAddress(address);
    await tx.run(sql`delete from rate_limits where substr(key, -${counted.length + 1}) = ${`:${counted}`}`);
  }
  await optimiseFullTextIndexes(tx);
  return { formerEmail: user.email, membershipNumber: membership?.number ?? null, files };
}

function orConditions(conditions: (SQL | null)[]): SQL | null {
  const present = conditions.filter((c): c is SQL => c !== null);
  if (present.length === 0) return null;
  return sql.join(
    present.map((c) => sql`(${c})`),
    sql` or `,
  );
}

/** Addresses the person used: their sessions and the audit rows about them. */
async function ipAddressesOf(tx: DbOrTx, userId: string): Promise<string[]> {
  const rows = await tx.all<{ ip: string }>(
    sql`select ip_address as ip from sessions where user_id = ${userId}
        union select ip_address as ip from audit_log where (actor_id = ${userId} or subject_id = ${userId}) and ip_address is not null`,
  );
  return rows.map((r) => r.ip).filter((ip) => ip !== '');
}

const MIN_REPLACED_NAME_CHARS = 4;

/** Replaces the person's name and email by the pseudonym's in every text column of the matching rows. */
async function replacePersonText(
  tx: DbOrTx,
  schema: SchemaMap,
  table: string,
  where: SQL,
  user: { name: string; email: string },
  pseudonym: { name: string; email: string },
): Promise<void> {
  // A name this short is likely part of other words ("Al" in "Also"): only the email is replaced then.
  const name = [...user.name].length >= MIN_REPLACED_NAME_CHARS ? user.name : user.email;
  const keys = new Set((schema.columns[table] ?? []).filter((c) => c.pk > 0).map((c) => c.name));
  const textColumns = (schema.columns[table] ?? []).filter((c) => c.type === 'TEXT' && !keys.has(c.name));
  for (const column of textColumns) {
    const col = sql.identifier(column.name);
    await tx.run(
      sql`update ${sql.identifier(table)} set ${col} = replace(replace(${col}, ${user.email}, ${pseudonym.email}), ${name}, ${pseudonym.name})
          where (${where}) and (instr(${col}, ${user.email}) > 0 or instr(${col}, ${name}) > 0)`,
    );
  }
}

/**
 * FTS5 keeps deleted terms in old index segments until they are merged; 'optimize' merges them, so the
 * erased name is gone from the index as well as from the table.
 */
async function optimiseFullTextIndexes(tx: DbOrTx): Promise<void> {
  const tables = await tx.all<{ name: string }>(
    sql`select name from sqlite_master where type = 'table' and sql like 'CREATE VIRTUAL TABLE%fts5%'`,
  );
  for (const { name } of tables) {
    await tx.run(sql`insert into ${sql.identifier(name)}(${sql.identifier(name)}) values ('optimize')`);
  }
}
