/**
 * PDF documents of the handbook: the whole published edition (for printing and offline reading) and a
 * member's certificate of completion of a curriculum level. The layout is in handbook-pdf-layout.ts; the
 * edition (every chapter parsed and laid out: seconds) is built in the Markdown worker.
 */
import type { Db } from '#db/client.ts';
import { formatLongDate } from '#src/lib/dates.ts';
import { buildEditionPdfOffThread } from '../markdown-pool.ts';
import { type Refusal, refuse } from '../refusal.ts';
import { getLevelBySlug, listPublishedChapters } from './handbook.ts';
import { Writer } from './handbook-pdf-layout.ts';
import { getLevelProgress } from './handbook-progress.ts';
import { issueLevelCertificate } from './level-certificates.ts';

/** The whole published handbook as one PDF, laid out off the request thread. */
export async function handbookEditionPdf(db: Db, now = Date.now()): Promise<Uint8Array<ArrayBuffer>> {
  const chapters = (await listPublishedChapters(db)).map((c) => ({
    part: c.frontMatter.part,
    title: c.frontMatter.title,
    summary: c.frontMatter.summary,
    revision: c.revision,
    publishedAt: c.publishedAt,
    body: c.body,
  }));
  return buildEditionPdfOffThread(chapters, now);
}

export type CertificateResult = { ok: true; pdf: Uint8Array<ArrayBuffer> } | Refusal;

/**
 * A certificate of completion for a member who has completed every module of a level: its number (issued
 * on the first download, the same ever after), and the address that verifies it, also as a QR code.
 */
export async function levelCertificatePdf(
  db: Db,
  member: { id: string; name: string },
  levelSlug: string,
  siteUrl: string,
  now = Date.now(),
): Promise<CertificateResult> {
  const level = await getLevelBySlug(db, levelSlug);
  if (!level) return refuse('NOT_FOUND', 'That level does not exist.');
  const progress = await getLevelProgress(db, member.id, level.level);
  if (!progress.complete)
    return refuse(
      'FORBIDDEN',
      'The certificate is issued when every module of the level is complete. See your progress on the level page.',
    );
  const completedOn = Math.max(...progress.modules.map((m) => m.completedAt ?? 0));
  const credits = progress.modules.reduce((sum, m) => sum + m.cpdCredits, 0);
  const number = await issueLevelCertificate(db, member.id, level.level, completedOn, now);
  const verifyUrl = `${siteUrl}/verify/${number}`;
  const w = await Writer.create(`Certificate of completion: ${level.title}`);
  w.newPage();
  w.paragraph('International External Counterpulsation Association', { font: w.fonts.bold, size: 14, gapAfter: 40 });
  w.paragraph('Certificate of completion', { font: w.fonts.bold, size: 28, gapAfter: 30 });
  w.paragraph('This certifies that', { size: 12 });
  w.paragraph(member.name, { font: w.fonts.bold, size: 22, gapAfter: 16 });
  w.paragraph(`has completed every module of the curriculum ${level.title}`, { size: 12 });
  w.paragraph(`on ${formatLongDate(completedOn)}, earning ${credits} CPD credits.`, { size: 12, gapAfter: 24 });
  w.paragraph('Modules completed:', { font: w.fonts.bold });
  for (const m of progress.modules) w.paragraph(`• ${m.title}`, { indent: 12, gapAfter: 2 });
  w.paragraph(`Certificate number: ${number}`, { font: w.fonts.bold, size: 11, gapAfter: 4 });
  w.paragraph(`Anyone can check it at ${verifyUrl} or by scanning this code:`, { size: 10, gapAfter: 6 });
  w.qrCode(verifyUrl, 96, { gapAfter: 12 });
  w.paragraph(
    'This certificate records completion of curriculum study. IECPA certification as a practitioner is a separate credential, awarded on the theory examination and the practical assessment.',
    { font: w.fonts.italic, size: 9, gapAfter: 0 },
  );
  return { ok: true, pdf: new Uint8Array(await w.doc.save()) };
}
