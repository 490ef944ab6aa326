import type { Db } from '#db/client.ts';
import { auditLog } from '#db/schema/index.ts';

export interface AuditEvent {
  actorId: string | null;
  action: string;
  subjectId?: string | null;
  ipAddress?: string | null;
  details?: Record<string, unknown>;
}

/** Appends one event to the audit log. Pass the transaction when the event belongs to one. */
export async function writeAudit(db: Pick<Db, 'insert'>, event: AuditEvent, now = Date.now()): Promise<void> {
  await db.insert(auditLog).values({
    at: now,
    actorId: event.actorId,
    action: event.action,
    subjectId: event.subjectId ?? null,
    ipAddress: event.ipAddress ?? null,
    details: JSON.stringify(event.details ?? {}),
  });
}
