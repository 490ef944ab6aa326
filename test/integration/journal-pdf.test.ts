import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, expect, test, vi } from 'vitest';
import { seedDemo } from '#scripts/demo-seed.ts';
import { readArticlePdf } from '#src/server/services/journal-articles.ts';
import { useTestDb } from '#test/helpers/db.ts';
import { anonymousCaller, callerFor, makeUser } from '#test/helpers/factories.ts';

const uploadDir = vi.hoisted(() => {
  const dir = `${process.cwd()}/test-results/uploads/journal-pdf-${process.pid}-${Date.now()}`;
  process.env.UPLOAD_DIR = dir;
  return dir;
});
afterAll(() => rmSync(uploadDir, { recursive: true, force: true }));

const handle = useTestDb();

/** The text layer of a PDF as PDF.js reads it (what a screen reader, a search or a copy gets). */
async function textLayer(bytes: Uint8Array): Promise<string> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(bytes), useSystemFonts: false }).promise;
  const parts: string[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const content = await (await doc.getPage(n)).getTextContent();
    for (const item of content.items) if ('str' in item) parts.push(item.str);
  }
  await doc.destroy();
  return parts.join('');
}

const squash = (text: string) => text.replace(/\s+/g, '');

test("a translation's PDF carries the Chinese original title and abstract in its text layer", async () => {
  await seedDemo(handle.db, { production: false, uploadDir: resolve(uploadDir) });
  const visitor = anonymousCaller(handle.db);
  const translation = (await visitor.journal.search({ type: 'translation' })).articles[0];
  if (!translation?.original) throw new Error('the seed has no translation');
  expect(translation.hasPdf).toBe(true);
  const pdf = await readArticlePdf(handle.db, resolve(uploadDir), translation.id);
  if (!pdf) throw new Error('no PDF stored');
  const text = squash(await textLayer(pdf.bytes));
  expect(text).toContain(squash(translation.original.title));
  expect(text).toContain(squash('体外反搏是一种无创的辅助循环治疗方法。'));
  expect(text).toContain(squash(translation.title));
  expect(text).toContain('TranslatedfromChinesebyTatianaTranslator');
});

test('a translation from Russian published elsewhere gets a PDF with Cyrillic text', async () => {
  const editor = await makeUser(handle.db, { roles: ['member', 'editor'], totp: true });
  const translator = await makeUser(handle.db, { roles: ['member', 'translator'] });
  const editorCaller = (await callerFor(handle.db, editor)).caller;
  const translatorCaller = (await callerFor(handle.db, translator)).caller;
  const russianTitle = 'Наружная контрпульсация при стенокардии';
  const translationId = await editorCaller.journal.acceptTranslation({
    sourceLanguage: 'ru',
    originalTitle: russianTitle,
    originalAbstract: 'Метод лечения без операции.',
    originalCitation: 'Иванов ИИ. Наружная контрпульсация при стенокардии. Кардиология. 2020;60(1):1-5.',
    rightsStatement: 'Translated and published with the permission of the publisher.',
    authors: [
      {
        givenNames: 'Ivan',
        surname: 'Ivanov',
        email: '',
        orcid: '',
        affiliation: '',
        country: 'RU',
        corresponding: false,
      },
    ],
    translatorId: translator.id,
    reviewerId: editor.id,
  });
  await translatorCaller.journal.saveTranslation({
    translationId,
    title: 'External counterpulsation in angina',
    abstract: { background: 'B.', methods: 'M.', results: 'R.', conclusions: 'C.' },
    keywords: [],
    bodyMarkdown: 'Translated text.',
    submitForReview: true,
  });
  await editorCaller.journal.reviewTranslation({ translationId, approve: true });
  const published = await editorCaller.journal.publishTranslation({ translationId });
  const pdf = await readArticlePdf(handle.db, resolve(uploadDir), published.articleId);
  if (!pdf) throw new Error('no PDF stored');
  const text = squash(await textLayer(pdf.bytes));
  expect(text).toContain(squash(`Original title: ${russianTitle}`));
  expect(text).toContain(squash('Метод лечения без операции.'));
  expect(text).toContain('TranslatedfromRussian');
});
