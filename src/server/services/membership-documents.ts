/**
 * Supporting documents of membership applications: PDF, JPEG or PNG, checked by their bytes and name
 * (src/server/uploads.ts), stored in UPLOAD_DIR/membership-documents/<random name>, served only to the
 * applicant and to admins, always as a download.
 */
import { and, asc, count, eq, inArray, lte } from 'drizzle-orm';
import type { Db } from '#db/client.ts';
import { membershipApplications, membershipDocuments } from '#db/schema/index.ts';
import { DAY_MS } from '#src/lib/dates.ts';
import { ROLES_REQUIRING_TOTP } from '#src/lib/roles.ts';
import { writeAudit } from '../audit.ts';
import { consumeRateLimit, type RateLimitRule } from '../auth/rate-limit.ts';
import type { SessionUser } from '../auth/session.ts';
import { newId } from '../ids.ts';
import { type Refusal, refuse } from '../refusal.ts';
import {
  checkUpload,
  deleteStoredFile,
  type FileType,
  newStoredName,
  readStoredFile,
  type UploadRefusal,
  writeStoredFile,
} from '../uploads.ts';
import type { RequestMeta } from './deps.ts';

/** Folder under UPLOAD_DIR; account erasure (personal-data.ts) removes files from it by stored name. */
export const DOCUMENTS_FOLDER = 'membership-documents';

/** Largest document accepted: a scanned licence or letter fits easily in 5 MiB. */
export const MAX_DOCUMENT_BYTES = 5 * 1024 * 1024;

/** Documents one application may carry; enough for licence, letters and logs, not a file store. */
export const MAX_DOCUMENTS_PER_APPLICATION = 10;

export const DOCUMENT_TYPES: readonly FileType[] = ['pdf', 'jpeg', 'png'];

/**
 * Documents one user may store per day (removed ones count too): bounds what a single account can put on
 * the disk (30 × 5 MiB) while leaving room to redo a whole application several times.
 */
export const DOCUMENT_UPLOAD_LIMIT: RateLimitRule = { limit: 30, windowMs: 24 * 60 * 60 * 1000 };

/** Statuses in which the applicant may add or remove documents. */
const EDITABLE_STATUSES = ['draft', 'info-requested'] as const;

export const UPLOAD_REFUSAL_MESSAGES: Record<UploadRefusal | 'too-many' | 'no-file' | 'rate-limited', string> = {
  'rate-limited': `You have uploaded ${DOCUMENT_UPLOAD_LIMIT.limit} documents today, the most one account may. Try again tomorrow.`,
  'no-file': 'Choose a file to upload.',
  empty: 'The file is empty (0 bytes). Choose the document itself.',
  'too-large': `The file is larger than ${MAX_DOCUMENT_BYTES / 1024 / 1024} MiB. Scan at a lower resolution or split it.`,
  'wrong-type': 'That file is not a PDF, JPEG or PNG. Only these types are accepted (checked by their content).',
  'extension-mismatch':
    'The file name does not match its content: a PDF must end in .pdf, a JPEG in .jpg or .jpeg, a PNG in .png.',
  'too-many': `An application can carry at most ${MAX_DOCUMENTS_PER_APPLICATION} documents. Remove one first.`,
};

export interface ApplicationDocument {
  id: string;
  applicationId: string;
  originalName: string;
  mimeType: string;
  sizeBytes: number;
  uploadedAt: number;
}

export type AddDocumentResult = { ok: true; document: ApplicationDocument } | Refusal;

/** A refused file: the message on the form's file field too (too large is its own code, 413). */
function fileRefusal(reason: UploadRefusal | 'too-many' | 'no-file'): Refusal {
  const message = UPLOAD_REFUSAL_MESSAGES[reason];
  return refuse(reason === 'too-large' ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST', message, { file: message });
}

/** The documents of an application, oldest first. */
export async function listDocuments(db: Pick<Db, 'select'>, applicationId: string): Promise<ApplicationDocument[]> {
  return db
    .select({
      id: membershipDocuments.id,
      applicationId: membershipDocuments.applicationId,
      originalName: membershipDocuments.originalName,
      mimeType: membershipDocuments.mimeType,
      sizeBytes: membershipDocuments.sizeBytes,
      uploadedAt: membershipDocuments.uploadedAt,
    })
    .from(membershipDocuments)
    .where(eq(membershipDocuments.applicationId, applicationId))
    .orderBy(asc(membershipDocuments.uploadedAt), asc(membershipDocuments.id));
}

async function editableApplicationOf(db: Pick<Db, 'select'>, userId: string): Promise<{ id: string } | null> {
  const [row] = await db
    .select({ id: membershipApplications.id })
    .from(membershipApplications)
    .where(
      and(eq(membershipApplications.userId, userId), inArray(membershipApplications.status, [...EDITABLE_STATUSES])),
    )
    .limit(1);
  return row ?? null;
}

/**
 * Adds a document to the user's open application (draft or information requested). Everything is checked
 * before anything is written; the file is written first and removed again if the row cannot be.
 */
export async function addDocument(
  db: Db,
  uploadDir: string,
  userId: string,
  file: { bytes: Uint8Array; name: string } | null,
  meta: RequestMeta,
  now = Date.now(),
): Promise<AddDocumentResult> {
  const application = await editableApplicationOf(db, userId);
  if (!application) return refuse('CONFLICT', 'Save your application before adding documents.');
  if (!file) return fileRefusal('no-file');
  const checked = checkUpload(file.bytes, file.name, { allowed: DOCUMENT_TYPES, maxBytes: MAX_DOCUMENT_BYTES });
  if (!checked.ok) return fileRefusal(checked.reason);
  const [existing] = await db
    .select({ n: count() })
    .from(membershipDocuments)
    .where(eq(membershipDocuments.applicationId, application.id));
  if ((existing?.n ?? 0) >= MAX_DOCUMENTS_PER_APPLICATION) return fileRefusal('too-many');
  // Counted only for files that would be stored, so a refused file never uses up the allowance.
  if (!(await consumeRateLimit(db, `membership-document:${userId}`, DOCUMENT_UPLOAD_LIMIT, now))) {
    return refuse('TOO_MANY_REQUESTS', UPLOAD_REFUSAL_MESSAGES['rate-limited']);
  }

  const storedName = newStoredName();
  const document: ApplicationDocument = {
    id: newId(),
    applicationId: application.id,
    originalName: checked.displayName,
    mimeType: checked.contentType,
    sizeBytes: file.bytes.length,
    uploadedAt: now,
  };
  await writeStoredFile(uploadDir, DOCUMENTS_FOLDER, storedName, file.bytes);
  try {
    await db.transaction(async (tx) => {
      await tx.insert(membershipDocuments).values({ ...document, userId, storedName, sha256: checked.sha256 });
      await writeAudit(
        tx,
        {
          actorId: userId,
          action: 'membership.document-added',
          subjectId: application.id,
          ipAddress: meta.ipAddress,
          details: { documentId: document.id, mimeType: document.mimeType, sizeBytes: document.sizeBytes },
        },
        now,
      );
    });
  } catch (error) {
    await deleteStoredFile(uploadDir, DOCUMENTS_FOLDER, storedName);
    throw error;
  }
  return { ok: true, document };
}

export type RemoveDocumentResult = { ok: true } | Refusal;

/** Removes one of the user's documents while their application is still editable. */
export async function removeDocument(
  db: Db,
  uploadDir: string,
  userId: string,
  documentId: string,
  meta: RequestMeta,
  now = Date.now(),
): Promise<RemoveDocumentResult> {
  const [row] = await db
    .select({
      id: membershipDocuments.id,
      storedName: membershipDocuments.storedName,
      applicationId: membershipDocuments.applicationId,
      status: membershipApplications.status,
    })
    .from(membershipDocuments)
    .innerJoin(membershipApplications, eq(membershipApplications.id, membershipDocuments.applicationId))
    .where(and(eq(membershipDocuments.id, documentId), eq(membershipDocuments.userId, userId)))
    .limit(1);
  if (!row) return refuse('NOT_FOUND', 'That document does not exist.');
  if (!(EDITABLE_STATUSES as readonly string[]).includes(row.status))
    return refuse(
      'CONFLICT',
      'Documents can only be removed while the application is a draft or more information was requested.',
    );
  await db.transaction(async (tx) => {
    await tx.delete(membershipDocuments).where(eq(membershipDocuments.id, row.id));
    await writeAudit(
      tx,
      {
        actorId: userId,
        action: 'membership.document-removed',
        subjectId: row.applicationId,
        ipAddress: meta.ipAddress,
        details: { documentId: row.id },
      },
      now,
    );
  });
  // After the commit: a failed transaction must not leave a row pointing at a deleted file.
  await deleteStoredFile(uploadDir, DOCUMENTS_FOLDER, row.storedName);
  return { ok: true };
}

/** Whether `viewer` may read documents of applications other than their own. */
function isReviewer(viewer: SessionUser): boolean {
  return viewer.roles.includes('admin') && (!ROLES_REQUIRING_TOTP.includes('admin') || viewer.totpEnabled);
}

export type DocumentDownload = { bytes: Uint8Array<ArrayBuffer>; mimeType: string; originalName: string };

/**
 * A document's bytes for its applicant or an admin; null for anyone else, for unknown ids and for files that
 * are gone (the same answer, so ids cannot be probed).
 */
export async function readDocumentFor(
  db: Pick<Db, 'select'>,
  uploadDir: string,
  viewer: SessionUser,
  documentId: string,
): Promise<DocumentDownload | null> {
  const [row] = await db.select().from(membershipDocuments).where(eq(membershipDocuments.id, documentId)).limit(1);
  if (!row) return null;
  if (row.userId !== viewer.id && !isReviewer(viewer)) return null;
  const bytes = await readStoredFile(uploadDir, DOCUMENTS_FOLDER, row.storedName);
  if (!bytes) return null;
  return { bytes, mimeType: row.mimeType, originalName: row.originalName };
}

/**
 * How long the documents of a rejected or withdrawn application are kept after the decision: long enough
 * for an appeal or a question about the decision, no longer (they hold licences and other personal data
 * the association no longer needs). The association's rule, not a sourced figure.
 */
export const DECIDED_DOCUMENTS_KEPT_DAYS = 90;

/** When the documents of an application decided at `decidedAt` are deleted. */
export function documentsDeletedAt(decidedAt: number): number {
  return decidedAt + DECIDED_DOCUMENTS_KEPT_DAYS * DAY_MS;
}

/**
 * Deletes the documents (rows and files) of applications rejected or withdrawn more than
 * DECIDED_DOCUMENTS_KEPT_DAYS ago, one application at a time with an audit row; the application itself and
 * its conversation stay. Approved applications keep theirs (the evidence behind a membership) until the
 * member's account is erased. Safe to run twice or in two processes: a row deleted by the other run is
 * simply not found.
 */
export async function purgeDecidedApplicationDocuments(
  db: Db,
  uploadDir: string,
  now = Date.now(),
): Promise<{ applications: number; documents: number }> {
  const due = await db
    .selectDistinct({ applicationId: membershipDocuments.applicationId })
    .from(membershipDocuments)
    .innerJoin(membershipApplications, eq(membershipApplications.id, membershipDocuments.applicationId))
    .where(
      and(
        inArray(membershipApplications.status, ['rejected', 'withdrawn']),
        lte(membershipApplications.decidedAt, now - DECIDED_DOCUMENTS_KEPT_DAYS * DAY_MS),
      ),
    );
  let documents = 0;
  for (const { applicationId } of due) {
    const deleted = await db.transaction(async (tx) => {
      const rows = await tx
        .delete(membershipDocuments)
        .where(eq(membershipDocuments.applicationId, applicationId))
        .returning({ id: membershipDocuments.id, storedName: membershipDocuments.storedName });
      if (rows.length > 0) {
        await writeAudit(
          tx,
          {
            actorId: null,
            action: 'membership.documents-expired',
            subjectId: applicationId,
            ipAddress: null,
            details: { documents: rows.length, keptDays: DECIDED_DOCUMENTS_KEPT_DAYS },
          },
          now,
        );
      }
      return rows;
    });
    // After the commit, as in removeDocument: no row may point at a deleted file.
    for (const row of deleted) await deleteStoredFile(uploadDir, DOCUMENTS_FOLDER, row.storedName);
    documents += deleted.length;
  }
  return { applications: due.length, documents };
}
