/**
 * Loads the exams shipped in content/exams/ (docs/exam-content-format.md): item banks from items/<bank>.json,
 * live at once (the IECPA exam committee wrote and reviewed them), then the exam forms, published. Runs at
 * start-up and seed, before requests are served; idempotent: unchanged items write nothing and are not
 * simulated again, a changed item becomes a new version (or is rewritten while never delivered).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '#db/client.ts';
import { resolveEngineItem } from './exam-engine-items.ts';
import { upsertExam } from './exam-forms.ts';
import { type ImportError, importItems } from './exam-items.ts';
import { DEFAULT_CONTENT_DIR } from './handbook-import.ts';

export interface ExamContentReport {
  created: number;
  updated: number;
  versioned: number;
  unchanged: number;
  examsCreated: string[];
  /** Files refused, each with its located errors; nothing of a refused file was written. */
  refused: { file: string; message: string; errors: ImportError[] }[];
}

export async function importExamContent(
  db: Db,
  contentDir = DEFAULT_CONTENT_DIR,
  now = Date.now(),
): Promise<ExamContentReport> {
  const report: ExamContentReport = {
    created: 0,
    updated: 0,
    versioned: 0,
    unchanged: 0,
    examsCreated: [],
    refused: [],
  };
  const root = join(contentDir, 'exams');
  if (!existsSync(root)) return report;
  const itemsDir = join(root, 'items');
  const itemFiles = existsSync(itemsDir)
    ? readdirSync(itemsDir)
        .filter((f) => f.endsWith('.json'))
        .sort()
    : [];
  for (const file of itemFiles) {
    const bank = file.replace(/\.json$/, '');
    const result = await importItems(
      db,
      null,
      bank,
      readFileSync(join(itemsDir, file), 'utf8'),
      { live: true, engine: (source) => resolveEngineItem(source, contentDir) },
      now,
    );
    if (!result.ok) {
      report.refused.push({ file: `exams/items/${file}`, message: result.message, errors: result.errors });
      continue;
    }
    report.created += result.created;
    report.updated += result.updated;
    report.versioned += result.versioned;
    report.unchanged += result.unchanged;
  }
  for (const file of readdirSync(root)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(join(root, file), 'utf8'));
    } catch (error) {
      report.refused.push({
        file: `exams/${file}`,
        message: `Not valid JSON: ${(error as Error).message}`,
        errors: [],
      });
      continue;
    }
    const result = await db.transaction((tx) =>
      upsertExam(tx, null, raw, { publish: true, updateExisting: true }, now),
    );
    if (!result.ok) {
      const errors = Object.entries(result.fieldErrors ?? {}).map(([path, message]) => ({ line: 0, path, message }));
      report.refused.push({ file: `exams/${file}`, message: result.message, errors });
    } else if (result.created) {
      report.examsCreated.push(file.replace(/\.json$/, ''));
    }
  }
  return report;
}
