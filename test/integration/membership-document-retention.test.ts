import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { auditLog, membershipApplications, membershipDocuments } from '#db/schema/index.ts';
import { DAY_MS } from '#src/lib/dates.ts';
import {
  DECIDED_DOCUMENTS_KEPT_DAYS,
  DOCUMENTS_FOLDER,
  purgeDecidedApplicationDocuments,
} from '#src/server/services/membership-documents.ts';
import { COMPLETE_APPLICATION, pdfForm } from '#test/helpers/applications.ts';
import { useTestDb } from '#test/helpers/db.ts';
import { callerFor, makeUser } from '#test/helpers/factories.ts';

// Set before any module reads the environment: documents go to this run's own folder.
const uploadDir = vi.hoisted(() => {
  const dir = `${process.cwd()}/test-results/uploads/document-retention-${process.pid}-${Date.now()}`;
  process.env.UPLOAD_DIR = dir;
  return dir;
});
afterAll(() => rmSync(uploadDir, { recursive: true, force: true }));

const handle = useTestDb();
let adminCaller: Awaited<ReturnType<typeof callerFor>>['caller'];

beforeAll(async () => {
  const admin = await makeUser(handle.db, { roles: ['member', 'admin'], totp: true });
  adminCaller = (await callerFor(handle.db, admin)).caller;
});

/** A submitted application with two documents; its id. */
async function submitted(): Promise<{
  applicationId: string;
  caller: Awaited<ReturnType<typeof callerFor>>['caller'];
}> {
  const user = await makeUser(handle.db, { roles: [] });
  const { caller } = await callerFor(handle.db, user);
  await caller.applications.saveDraft(COMPLETE_APPLICATION);
  for (const name of ['licence.pdf', 'log.pdf']) await caller.applications.uploadDocument(pdfForm(name));
  const application = await caller.applications.submit();
  return { applicationId: application.id, caller };
}

async function storedFiles(applicationId: string): Promise<{ rows: number; files: boolean[] }> {
  const rows = await handle.db
    .select({ storedName: membershipDocuments.storedName })
    .from(membershipDocuments)
    .where(eq(membershipDocuments.applicationId, applicationId));
  return { rows: rows.length, files: rows.map((r) => existsSync(join(uploadDir, DOCUMENTS_FOLDER, r.storedName))) };
}

test(`documents of rejected and withdrawn applications go ${DECIDED_DOCUMENTS_KEPT_DAYS} days after the decision; others stay`, async () => {
  const rejected = await submitted();
  await adminCaller.applications.reject({ applicationId: rejected.applicationId, reason: 'No ECP practice shown.' });
  const withdrawn = await submitted();
  await withdrawn.caller.applications.withdraw();
  const approved = await submitted();
  await adminCaller.applications.approve({ applicationId: approved.applicationId, message: '' });
  const waiting = await submitted();
  const fileNames = await handle.db.select({ storedName: membershipDocuments.storedName }).from(membershipDocuments);
  expect(fileNames).toHaveLength(8);

  // Within the keeping period nothing goes.
  const early = await purgeDecidedApplicationDocuments(
    handle.db,
    uploadDir,
    Date.now() + (DECIDED_DOCUMENTS_KEPT_DAYS - 1) * DAY_MS,
  );
  expect(early).toEqual({ applications: 0, documents: 0 });
  expect(await storedFiles(rejected.applicationId)).toEqual({ rows: 2, files: [true, true] });

  const later = Date.now() + (DECIDED_DOCUMENTS_KEPT_DAYS + 1) * DAY_MS;
  expect(await purgeDecidedApplicationDocuments(handle.db, uploadDir, later)).toEqual({
    applications: 2,
    documents: 4,
  });
  for (const gone of [rejected, withdrawn]) {
    expect(await storedFiles(gone.applicationId)).toEqual({ rows: 0, files: [] });
    // The application and its decision stay; the deletion is audited.
    const [application] = await handle.db
      .select({ status: membershipApplications.status })
      .from(membershipApplications)
      .where(eq(membershipApplications.id, gone.applicationId));
    expect(application?.status).toMatch(/rejected|withdrawn/);
    const audit = await handle.db.select().from(auditLog).where(eq(auditLog.subjectId, gone.applicationId));
    expect(audit.filter((a) => a.action === 'membership.documents-expired').map((a) => JSON.parse(a.details))).toEqual([
      { documents: 2, keptDays: DECIDED_DOCUMENTS_KEPT_DAYS },
    ]);
  }
  for (const kept of [approved, waiting]) {
    expect(await storedFiles(kept.applicationId)).toEqual({ rows: 2, files: [true, true] });
  }
  // Every file of the deleted rows is gone from the disk.
  const remaining = await handle.db.select({ storedName: membershipDocuments.storedName }).from(membershipDocuments);
  const remainingNames = new Set(remaining.map((r) => r.storedName));
  for (const { storedName } of fileNames) {
    expect(existsSync(join(uploadDir, DOCUMENTS_FOLDER, storedName))).toBe(remainingNames.has(storedName));
  }

  // A second run (or another process) finds nothing more to do.
  expect(await purgeDecidedApplicationDocuments(handle.db, uploadDir, later)).toEqual({
    applications: 0,
    documents: 0,
  });
});
