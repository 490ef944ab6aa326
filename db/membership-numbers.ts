import { sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { membershipNumberSequences } from './schema/index.ts';

/** A transaction, or the database itself: both run the statements below. */
type Executor = Pick<Db, 'insert'>;

/** A membership number as printed on cards and certificates: IECPA-<year>-<5-digit sequence>. */
export function formatMembershipNumber(year: number, sequence: number): string {
  return `IECPA-${year}-${String(sequence).padStart(5, '0')}`;
}

/**
 * Takes the next number of `year` from membership_number_sequences, inside the caller's transaction (one
 * atomic upsert, so two approvals at once never share a number). Used by the lifecycle service and the seed.
 */
export async function nextMembershipNumber(tx: Executor, year: number): Promise<string> {
  const [row] = await tx
    .insert(membershipNumberSequences)
    .values({ year, lastNumber: 1 })
    .onConflictDoUpdate({
      target: membershipNumberSequences.year,
      set: { lastNumber: sql`${membershipNumberSequences.lastNumber} + 1` },
    })
    .returning({ lastNumber: membershipNumberSequences.lastNumber });
  if (!row) throw new Error('membership number sequence returned no row');
  return formatMembershipNumber(year, row.lastNumber);
}
