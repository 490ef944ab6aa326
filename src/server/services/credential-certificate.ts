/**
 * The certificate of an IECPA credential as a PDF, laid out with the handbook's PDF writer and its QR code
 * (as the level certificates are): name, credential, number, dates, and the registry address that always
 * shows the live status, also as a QR code. The holder downloads it; a revoked credential has none.
 */
import { and, eq } from 'drizzle-orm';
import type { Db } from '#db/client.ts';
import { credentials } from '#db/schema/index.ts';
import { STATUS_LABELS } from '#src/lib/credential-rules.ts';
import { formatLongDate } from '#src/lib/dates.ts';
import { type Refusal, refuse } from '../refusal.ts';
import { getDefinitionVersion, getRegistryPreferences } from './credentials.ts';
import { Writer } from './handbook-pdf-layout.ts';

export type CredentialPdfResult = { ok: true; pdf: Uint8Array<ArrayBuffer>; number: string } | Refusal;

/** The registry address a certificate's QR code holds. */
export function verificationUrl(siteUrl: string, number: string): string {
  return `${siteUrl}/registry/${number}`;
}

export async function credentialCertificatePdf(
  db: Db,
  holderId: string,
  number: string,
  siteUrl: string,
): Promise<CredentialPdfResult> {
  const [row] = await db
    .select()
    .from(credentials)
    .where(and(eq(credentials.number, number), eq(credentials.userId, holderId)));
  if (!row) return refuse('NOT_FOUND', 'You hold no credential with this number.');
  if (row.status === 'revoked' || row.status === 'pending-sign-off' || row.issuedAt === null || row.expiresAt === null)
    return refuse(
      'FORBIDDEN',
      `There is no certificate for a credential that is ${STATUS_LABELS[row.status].toLowerCase()}.`,
    );
  const version = await getDefinitionVersion(db, row.versionId);
  if (!version) return refuse('NOT_FOUND', 'You hold no credential with this number.');
  const { displayName } = await getRegistryPreferences(db, holderId);
  const url = verificationUrl(siteUrl, row.number);
  const w = await Writer.create(`${version.title}: ${row.number}`);
  w.newPage();
  w.paragraph('International External Counterpulsation Association', { font: w.fonts.bold, size: 14, gapAfter: 40 });
  w.paragraph('Certificate', { font: w.fonts.bold, size: 28, gapAfter: 30 });
  w.paragraph('This certifies that', { size: 12 });
  w.paragraph(displayName, { font: w.fonts.bold, size: 22, gapAfter: 16 });
  w.paragraph('holds the credential', { size: 12 });
  w.paragraph(version.title, { font: w.fonts.bold, size: 16, gapAfter: 16 });
  w.paragraph(`First issued on ${formatLongDate(row.issuedAt)}.`, { size: 12 });
  w.paragraph(`Valid until ${formatLongDate(row.expiresAt)}, renewed by meeting its maintenance requirements.`, {
    size: 12,
    gapAfter: 24,
  });
  w.paragraph(`Credential number: ${row.number}`, { font: w.fonts.bold, size: 11, gapAfter: 4 });
  w.paragraph(`Its status today, at ${url} or by scanning this code:`, { size: 10, gapAfter: 6 });
  w.qrCode(url, 110, { gapAfter: 12 });
  w.paragraph(
    'A printed certificate can outlive the credential: only the registry shows whether it is current, suspended or revoked.',
    { font: w.fonts.italic, size: 9, gapAfter: 0 },
  );
  return { ok: true, pdf: new Uint8Array(await w.doc.save()), number: row.number };
}
