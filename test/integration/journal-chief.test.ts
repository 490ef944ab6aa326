import { rmSync } from 'node:fs';
import { asc, eq, like } from 'drizzle-orm';
import { afterAll, expect, test, vi } from 'vitest';
import { auditLog } from '#db/schema/index.ts';
import { countAllRows, useTestDb } from '#test/helpers/db.ts';
import { callerFor, makeUser } from '#test/helpers/factories.ts';
import { mailsTo, makeJournalCast, refusal, submitComplete } from '#test/helpers/journal.ts';

const uploadDir = vi.hoisted(() => {
  const dir = `${process.cwd()}/test-results/uploads/journal-chief-${process.pid}-${Date.now()}`;
  process.env.UPLOAD_DIR = dir;
  return dir;
});
afterAll(() => rmSync(uploadDir, { recursive: true, force: true }));

const handle = useTestDb();

/**
 * The editor-in-chief (issue 17: an editor with the `chief` flag). An admin sets the flag; then the chief
 * assigns submissions to other editors and acts on submissions another editor handles, which a plain editor
 * cannot; the chief may pass the flag on; the journal never loses its last chief; audited and mailed.
 */
test('an admin makes an editor chief, who then assigns and acts on any submission', async () => {
  const cast = await makeJournalCast(handle.db);
  const admin = await makeUser(handle.db, { roles: ['member', 'admin'], totp: true, name: 'Ada Admin' });
  const adminCaller = (await callerFor(handle.db, admin)).caller;
  const plain = cast.editor;
  const plainCaller = cast.editorCaller;
  const chief = await makeUser(handle.db, { roles: ['member', 'editor'], totp: true, name: 'Chidi Chief' });
  const chiefCaller = (await callerFor(handle.db, chief)).caller;
  const third = await makeUser(handle.db, { roles: ['member', 'editor'], totp: true, name: 'Thea Third' });
  const thirdCaller = (await callerFor(handle.db, third)).caller;

  // A submission the third editor handles.
  const submissionId = await submitComplete(cast.authorCaller, cast.author);
  await thirdCaller.journal.assignEditor({ submissionId, editorId: third.id });

  // A plain editor can neither give it to someone else, nor act on it, nor set the flag: nothing changes.
  const before = await countAllRows(handle);
  expect(await refusal(plainCaller.journal.assignEditor({ submissionId, editorId: plain.id }))).toEqual({
    code: 'CONFLICT',
    message: 'Another editor already handles this submission.',
  });
  expect(await refusal(plainCaller.journal.assignEditor({ submissionId, editorId: chief.id }))).toEqual({
    code: 'FORBIDDEN',
    message: 'Only the editor-in-chief assigns submissions to other editors.',
  });
  expect(await refusal(plainCaller.journal.decide({ submissionId, decision: 'send-to-review', note: '' }))).toEqual({
    code: 'FORBIDDEN',
    message: 'Only the handling editor (or the editor-in-chief) may do this.',
  });
  expect(await refusal(plainCaller.journal.setChief({ userId: plain.id, chief: true }))).toEqual({
    code: 'FORBIDDEN',
    message: 'Only an administrator or the editor-in-chief sets the editor-in-chief flag.',
  });
  // The admin cannot flag an account without the editor role.
  expect(await refusal(adminCaller.journal.setChief({ userId: cast.author.id, chief: true }))).toEqual({
    code: 'BAD_REQUEST',
    message: 'That account is not an editor: grant the editor role first.',
  });
  expect(await countAllRows(handle)).toEqual(before);
  expect((await plainCaller.journal.submission({ submissionId })).isChief).toBe(false);

  // The admin makes Chidi chief: audited, mailed, visible in the list of editors.
  expect(await adminCaller.journal.setChief({ userId: chief.id, chief: true })).toEqual({ ok: true, changed: true });
  expect(await adminCaller.journal.setChief({ userId: chief.id, chief: true })).toEqual({ ok: true, changed: false });
  const listed = await plainCaller.journal.editors();
  expect(listed.canManage).toBe(false);
  expect(listed.editors.filter((e) => e.chief).map((e) => e.name)).toEqual(['Chidi Chief']);
  expect((await mailsTo(handle.db, chief.email)).map((m) => m.subject)).toContain(
    'IECPA Journal: you are now the editor-in-chief',
  );

  // What the chief can do that the plain editor could not.
  const view = await chiefCaller.journal.submission({ submissionId });
  expect(view.isChief).toBe(true);
  expect(view.canAct).toBe(true);
  await chiefCaller.journal.assignEditor({ submissionId, editorId: plain.id });
  expect((await plainCaller.journal.submission({ submissionId })).submission.handlingEditorId).toBe(plain.id);
  expect((await chiefCaller.journal.decide({ submissionId, decision: 'send-to-review', note: '' })).status).toBe(
    'in-review',
  );
  expect((await chiefCaller.journal.editors()).canManage).toBe(true);

  // The last chief keeps the flag; a chief passes it on, then gives up their own.
  expect(await refusal(adminCaller.journal.setChief({ userId: chief.id, chief: false }))).toEqual({
    code: 'CONFLICT',
    message: 'The journal needs an editor-in-chief: give the flag to another editor before taking it from this one.',
  });
  await chiefCaller.journal.setChief({ userId: third.id, chief: true });
  await chiefCaller.journal.setChief({ userId: chief.id, chief: false });
  expect((await adminCaller.journal.editors()).editors.filter((e) => e.chief).map((e) => e.name)).toEqual([
    'Thea Third',
  ]);
  expect((await mailsTo(handle.db, chief.email)).map((m) => m.subject)).toContain(
    'IECPA Journal: you are no longer the editor-in-chief',
  );
  // Chidi is a plain editor again.
  expect((await refusal(chiefCaller.journal.setChief({ userId: chief.id, chief: true }))).code).toBe('FORBIDDEN');

  const audited = await handle.db
    .select({ action: auditLog.action, actorId: auditLog.actorId, subjectId: auditLog.subjectId })
    .from(auditLog)
    .where(like(auditLog.action, 'journal.chief-%'))
    .orderBy(asc(auditLog.id));
  expect(audited).toEqual([
    { action: 'journal.chief-granted', actorId: admin.id, subjectId: chief.id },
    { action: 'journal.chief-granted', actorId: chief.id, subjectId: third.id },
    { action: 'journal.chief-revoked', actorId: chief.id, subjectId: chief.id },
  ]);
  const assigned = await handle.db
    .select({ actorId: auditLog.actorId })
    .from(auditLog)
    .where(eq(auditLog.action, 'journal.editor-assigned'));
  expect(assigned.map((a) => a.actorId)).toEqual([third.id, chief.id]);
});
