/**
 * Accepting the code of ethics outside an application: a member (or anyone signed in) accepts its current
 * version on /membership/ethics. Applicants accept it with their application (membership-applications.ts);
 * when the code changes (a new CURRENT_ETHICS_VERSION), certified members must accept the new version to
 * keep their credential's requirements met (credentials.ts), and this is where they do it. Accepted once
 * per version: a consent row with the version and the time, as registration and applications write.
 */
import type { Db } from '#db/client.ts';
import { consents } from '#db/schema/index.ts';
import { CURRENT_ETHICS_VERSION } from '#src/lib/ethics.ts';
import { writeAudit } from '../audit.ts';
import { newId } from '../ids.ts';
import { type Refusal, refuse } from '../refusal.ts';
import { currentEthicsAcceptedAt } from './membership-applications.ts';

export interface EthicsStatus {
  version: string;
  /** When the user accepted this version, or null. */
  acceptedAt: number | null;
}

export async function ethicsStatus(db: Pick<Db, 'select'>, userId: string): Promise<EthicsStatus> {
  return { version: CURRENT_ETHICS_VERSION, acceptedAt: await currentEthicsAcceptedAt(db, userId) };
}

/**
 * Records that the user accepted `version`, which must be the current one (the page names the version it
 * showed, so a code changed meanwhile is not accepted unread). Accepting again changes nothing.
 */
export async function acceptEthics(
  db: Db,
  userId: string,
  version: string,
  now = Date.now(),
): Promise<({ ok: true } & EthicsStatus) | Refusal> {
  if (version !== CURRENT_ETHICS_VERSION) {
    return refuse(
      'CONFLICT',
      `The code of ethics is now at version ${CURRENT_ETHICS_VERSION}: read that version, then accept it.`,
    );
  }
  return db.transaction(async (tx) => {
    const already = await currentEthicsAcceptedAt(tx, userId);
    if (already !== null) return { ok: true as const, version, acceptedAt: already };
    await tx.insert(consents).values({ id: newId(), userId, document: 'code-of-ethics', version, acceptedAt: now });
    await writeAudit(tx, { actorId: userId, action: 'ethics.accepted', details: { version } }, now);
    return { ok: true as const, version, acceptedAt: now };
  });
}
