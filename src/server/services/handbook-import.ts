/**
 * Loads the edition shipped in content/ (handbook chapters, curriculum levels and modules) into the
 * database as revisions. Runs on every start and only adds what is missing. A document that only the
 * import has ever written is brought up to date when the shipped file changes: a new published revision
 * whose change note names the edition (content/edition.json: "Second edition: …"). A document an educator
 * has revised is never overwritten: the shipped text arrives as a revision in review, for educators to
 * approve, merge with their own or reject, and only once the educator's own work is published (a newer
 * revision would leave an educator's unfinished draft stranded behind it).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { and, desc, eq, isNotNull } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '#db/client.ts';
import { curriculumLevels, type DocumentKind, handbookDocuments, handbookRevisions } from '#db/schema/index.ts';
import { newId } from '../ids.ts';
import { makePublished } from './handbook.ts';
import { splitSource, validateFrontMatter } from './handbook-content.ts';

export const DEFAULT_CONTENT_DIR = fileURLToPath(new URL('../../../content', import.meta.url));

const levelsFile = z.array(
  z.object({
    level: z.number().int().min(1),
    slug: z.string().min(1),
    title: z.string().min(1),
    summary: z.string().min(1),
  }),
);

export interface ShippedDocument {
  kind: DocumentKind;
  file: string;
  slug: string;
  title: string;
  frontMatter: Record<string, unknown>;
  body: string;
}

function markdownFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => join(dir, name));
}

/** Reads and validates the shipped documents; a malformed file is an error naming the file. */
export function readShippedDocuments(contentDir = DEFAULT_CONTENT_DIR): ShippedDocument[] {
  const sources: { kind: DocumentKind; file: string }[] = [
    ...markdownFiles(join(contentDir, 'handbook')).map((file) => ({ kind: 'chapter' as const, file })),
  ];
  const curriculumDir = join(contentDir, 'curriculum');
  for (const entry of readdirSync(curriculumDir, { withFileTypes: true })) {
    if (entry.isDirectory() && /^level-\d+$/.test(entry.name)) {
      sources.push(
        ...markdownFiles(join(curriculumDir, entry.name)).map((file) => ({ kind: 'module' as const, file })),
      );
    }
  }
  return sources.map(({ kind, file }) => {
    const split = splitSource(readFileSync(file, 'utf8'));
    if (!split.ok) throw new Error(`${file}: ${split.message}`);
    const valid = validateFrontMatter(kind, split.value.frontMatter);
    if (!valid.ok) throw new Error(`${file}: ${valid.messages.join('; ')}`);
    return {
      kind,
      file,
      slug: valid.value.slug,
      title: valid.value.title,
      frontMatter: split.value.frontMatter,
      body: split.value.body,
    };
  });
}

const editionFile = z.object({
  label: z.string().min(1).max(100),
  defaultNote: z.string().min(1).max(500),
  notes: z.record(z.string(), z.string().min(1).max(500)),
});

/** The shipped edition's label and per-document notes; a content directory without edition.json is the first. */
function readEdition(contentDir: string): z.infer<typeof editionFile> {
  const file = join(contentDir, 'edition.json');
  if (!existsSync(file)) return { label: 'First edition', defaultNote: '', notes: {} };
  return editionFile.parse(JSON.parse(readFileSync(file, 'utf8')));
}

/** "Second edition: what changed." for an update; "Second edition." for a document new to the database. */
function editionNote(edition: z.infer<typeof editionFile>, label: string, isNew: boolean): string {
  if (isNew) return `${edition.label}.`;
  const note = edition.notes[label] ?? edition.defaultNote;
  return note ? `${edition.label}: ${note}` : `${edition.label}.`;
}

export interface ImportReport {
  created: string[];
  updated: string[];
  /** Documents an educator has revised: left as they are. */
  keptRevised: string[];
  /** Of those, documents whose shipped text was added as a revision in review. */
  inReview: string[];
  unchanged: number;
  levelsAdded: number;
}

/** Adds the shipped levels and documents that are missing (see the file comment for updates). */
export async function importFirstEdition(
  db: Db,
  contentDir = DEFAULT_CONTENT_DIR,
  now = Date.now(),
): Promise<ImportReport> {
  const levels = levelsFile.parse(JSON.parse(readFileSync(join(contentDir, 'curriculum', 'levels.json'), 'utf8')));
  const documents = readShippedDocuments(contentDir);
  const edition = readEdition(contentDir);
  const report: ImportReport = {
    created: [],
    updated: [],
    keptRevised: [],
    inReview: [],
    unchanged: 0,
    levelsAdded: 0,
  };

  await db.transaction(async (tx) => {
    for (const level of levels) {
      const added = await tx.insert(curriculumLevels).values(level).onConflictDoNothing().returning();
      report.levelsAdded += added.length;
    }
    for (const shipped of documents) {
      const frontMatterJson = JSON.stringify(shipped.frontMatter);
      const existing = await tx
        .select()
        .from(handbookDocuments)
        .where(and(eq(handbookDocuments.kind, shipped.kind), eq(handbookDocuments.slug, shipped.slug)))
        .limit(1);
      const label = `${shipped.kind}:${shipped.slug}`;
      let doc = existing[0];
      let revisionNumber = 1;
      if (doc) {
        const revisions = await tx
          .select()
          .from(handbookRevisions)
          .where(eq(handbookRevisions.documentId, doc.id))
          .orderBy(desc(handbookRevisions.revision));
        const latest = revisions[0];
        if (revisions.some((r) => r.authorId !== null)) {
          report.keptRevised.push(label);
          const alreadyShipped = revisions.some(
            (r) => r.authorId === null && r.bodyMarkdown === shipped.body && r.frontMatter === frontMatterJson,
          );
          if (alreadyShipped || !latest || latest.status !== 'published') continue;
          await tx.insert(handbookRevisions).values({
            id: newId(),
            documentId: doc.id,
            revision: latest.revision + 1,
            baseRevision: latest.revision,
            bodyMarkdown: shipped.body,
            frontMatter: frontMatterJson,
            authorId: null,
            status: 'in-review',
            // The suggested note: the reviewer's publish form starts from it, so readers see the edition.
            changeNote: editionNote(edition, label, false),
            submittedAt: now,
            createdAt: now,
          });
          report.inReview.push(label);
          continue;
        }
        if (latest && latest.bodyMarkdown === shipped.body && latest.frontMatter === frontMatterJson) {
          report.unchanged++;
          continue;
        }
        revisionNumber = (latest?.revision ?? 0) + 1;
        report.updated.push(label);
      } else {
        doc = { id: newId(), kind: shipped.kind, slug: shipped.slug, publishedRevisionId: null, createdAt: now };
        await tx.insert(handbookDocuments).values(doc);
        report.created.push(label);
      }
      const revisionId = newId();
      await tx.insert(handbookRevisions).values({
        id: revisionId,
        documentId: doc.id,
        revision: revisionNumber,
        baseRevision: revisionNumber > 1 ? revisionNumber - 1 : null,
        bodyMarkdown: shipped.body,
        frontMatter: frontMatterJson,
        authorId: null,
        status: 'approved',
        createdAt: now,
      });
      await makePublished(
        tx,
        doc,
        { id: revisionId, title: shipped.title, body: shipped.body },
        null,
        editionNote(edition, label, revisionNumber === 1),
        now,
      );
    }
  });
  return report;
}

/** How many documents are published (for start-up logs). */
export async function countPublished(db: Db): Promise<number> {
  const rows = await db
    .select({ id: handbookDocuments.id })
    .from(handbookDocuments)
    .where(isNotNull(handbookDocuments.publishedRevisionId));
  return rows.length;
}
