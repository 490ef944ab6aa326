/**
 * Certificates of completion of a curriculum level: a number issued once per member and level, printed on
 * the PDF with a verification address and its QR code, and a public check of a number that anyone can run
 * without an account (what it certifies, to whom, since when). A closed (erased) account's certificate no
 * longer verifies: the holder's name is gone with it.
 */
import { randomBytes } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '#db/client.ts';
import { curriculumLevels, levelCertificates, users } from '#db/schema/index.ts';

/** Crockford's base-32 alphabet (no I, L, O, U): readable aloud and on paper. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** 10 characters = 50 random bits: guessing a valid number is hopeless, so the check needs no rate limit. */
const RANDOM_CHARS = 10;

/** e.g. IECPA-L1-7K3QW-9ZPXM: association, level, then the random part in two groups of five. */
export function newCertificateNumber(level: number): string {
  const bytes = randomBytes(RANDOM_CHARS);
  let random = '';
  for (const byte of bytes) random += ALPHABET[byte % 32];
  return `IECPA-L${level}-${random.slice(0, 5)}-${random.slice(5)}`;
}

/** The shape of a number (upper case, as printed); anything else is not looked up. */
export const CERTIFICATE_NUMBER_PATTERN = /^IECPA-L[1-9]-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/;

/** Tidies what someone typed or scanned: trimmed, upper case, O read as 0 and I/L as 1 (Crockford). */
export function normaliseCertificateNumber(input: string): string {
  const upper = input.trim().toUpperCase();
  const [prefix, levelPart, ...rest] = upper.split('-');
  if (prefix !== 'IECPA' || !levelPart) return upper;
  const random = rest.join('-').replace(/O/g, '0').replace(/[IL]/g, '1');
  return `${prefix}-${levelPart}-${random}`;
}

/** The member's certificate number for a level, issued now if they have none yet (idempotent). */
export async function issueLevelCertificate(
  db: Db,
  userId: string,
  level: number,
  completedAt: number,
  now = Date.now(),
): Promise<string> {
  await db
    .insert(levelCertificates)
    .values({ number: newCertificateNumber(level), userId, level, completedAt, issuedAt: now })
    .onConflictDoNothing({ target: [levelCertificates.userId, levelCertificates.level] });
  const [row] = await db
    .select({ number: levelCertificates.number })
    .from(levelCertificates)
    .where(and(eq(levelCertificates.userId, userId), eq(levelCertificates.level, level)));
  if (!row) throw new Error(`certificate of level ${level} for ${userId} was not stored`);
  return row.number;
}

export interface VerifiedCertificate {
  number: string;
  holderName: string;
  level: number;
  levelTitle: string;
  completedAt: number;
  issuedAt: number;
}

/** What a certificate number certifies, or null when no certificate of a current account has it. */
export async function verifyLevelCertificate(db: Db, typed: string): Promise<VerifiedCertificate | null> {
  const number = normaliseCertificateNumber(typed);
  if (!CERTIFICATE_NUMBER_PATTERN.test(number)) return null;
  const [row] = await db
    .select({
      number: levelCertificates.number,
      holderName: users.name,
      level: levelCertificates.level,
      levelTitle: curriculumLevels.title,
      completedAt: levelCertificates.completedAt,
      issuedAt: levelCertificates.issuedAt,
    })
    .from(levelCertificates)
    .innerJoin(users, eq(users.id, levelCertificates.userId))
    .innerJoin(curriculumLevels, eq(curriculumLevels.level, levelCertificates.level))
    .where(and(eq(levelCertificates.number, number), isNull(users.erasedAt)));
  return row ?? null;
}
