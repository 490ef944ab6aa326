import { expect, test } from 'vitest';
import { seedDemo } from '#scripts/demo-seed.ts';
import { articleMetadata } from '#src/server/services/journal-metadata-source.ts';
import { useTestDb } from '#test/helpers/db.ts';
import { anonymousCaller, callerFor, makeUser } from '#test/helpers/factories.ts';
import { mailsTo } from '#test/helpers/journal.ts';
import { trpcErrorOf } from '#test/helpers/trpc.ts';

const handle = useTestDb();

/**
 * Translations (issue 17, item 4): an editor accepts a published Chinese article for translation; a
 * translator writes the English text; a second person reviews it; it is published as its own article
 * with its own DOI, linked both ways, the original title and abstract kept in Chinese.
 */
test('a Chinese original is translated, reviewed, published with its own DOI and linked both ways', async () => {
  await seedDemo(handle.db, { production: false });
  const visitor = anonymousCaller(handle.db);
  const chinese = (await visitor.journal.search({ language: 'zh' })).articles[0];
  if (!chinese) throw new Error('the seed has no Chinese article');

  const editor = await makeUser(handle.db, { roles: ['member', 'editor'], totp: true });
  const translator = await makeUser(handle.db, { roles: ['member', 'translator'], name: 'Ivan Petrov' });
  const second = await makeUser(handle.db, { roles: ['member', 'translator'] });
  const editorCaller = (await callerFor(handle.db, editor)).caller;
  const translatorCaller = (await callerFor(handle.db, translator)).caller;
  const secondCaller = (await callerFor(handle.db, second)).caller;

  const base = {
    sourceArticleId: chinese.id,
    sourceLanguage: 'zh',
    originalTitle: chinese.title,
    rightsStatement: 'CC BY 4.0.',
    authors: [
      { givenNames: 'Wei', surname: 'Li', email: '', orcid: '', affiliation: '', country: 'CN', corresponding: false },
    ],
    translatorId: translator.id,
  };
  // The reviewer must be a second person.
  expect((await trpcErrorOf(editorCaller.journal.acceptTranslation({ ...base, reviewerId: translator.id }))).code).toBe(
    'BAD_REQUEST',
  );
  const translationId = await editorCaller.journal.acceptTranslation({ ...base, reviewerId: second.id });
  expect((await mailsTo(handle.db, translator.email)).at(-1)?.textBody).toContain(
    `/journal/translations/${translationId}`,
  );

  const text = {
    translationId,
    title: 'External counterpulsation for stable angina (second translation)',
    abstract: { background: 'B.', methods: 'M.', results: 'R.', conclusions: 'C.' },
    keywords: ['ECP'],
    bodyMarkdown: '## Methods\n\nTranslated text.',
  };
  // Incomplete text cannot go to review; the reviewer sends it back once, then approves.
  expect(
    (await trpcErrorOf(translatorCaller.journal.saveTranslation({ ...text, bodyMarkdown: '', submitForReview: true })))
      .code,
  ).toBe('BAD_REQUEST');
  await translatorCaller.journal.saveTranslation({ ...text, submitForReview: true });
  expect((await mailsTo(handle.db, second.email)).at(-1)?.subject).toBe(
    'IECPA Journal: a translation waits for your review',
  );
  expect((await trpcErrorOf(translatorCaller.journal.reviewTranslation({ translationId, approve: true }))).code).toBe(
    'NOT_FOUND',
  );
  await secondCaller.journal.reviewTranslation({ translationId, approve: false, comments: 'Translate the table too.' });
  await translatorCaller.journal.saveTranslation({ ...text, submitForReview: true });
  await secondCaller.journal.reviewTranslation({ translationId, approve: true });
  const published = await editorCaller.journal.publishTranslation({ translationId });
  expect(published.doi).toMatch(/^10\.5555\/iecpa\.\d{4}\.\d{3}$/);
  expect(published.doi).not.toBe(chinese.doi);
  expect((await trpcErrorOf(editorCaller.journal.publishTranslation({ translationId }))).code).toBe('CONFLICT');

  const translation = await visitor.journal.article({ articleId: published.articleId });
  expect(translation.type).toBe('translation');
  expect(translation.language).toBe('en');
  expect(translation.translationOf?.id).toBe(chinese.id);
  expect(translation.original?.title).toBe(chinese.title);
  expect(translation.original?.titleLanguage).toBe('zh');
  expect(translation.translators).toEqual([{ givenNames: 'Ivan', surname: 'Petrov' }]);
  const original = await visitor.journal.article({ articleId: chinese.id });
  expect(original.translations.map((t) => t.id)).toContain(published.articleId);

  // The metadata shape carries the links: isTranslationOf (original) and hasTranslation (translationDois).
  const meta = await articleMetadata(handle.db, published.articleId, 'https://portal.example');
  expect(meta?.original?.title).toEqual({ text: chinese.title, language: 'zh' });
  expect(meta?.original?.doi).toBe(chinese.doi);
  const originalMeta = await articleMetadata(handle.db, chinese.id, 'https://portal.example');
  expect(originalMeta?.translationDois).toContain(published.doi);
});

test('the seed publishes a demo study, a Chinese original with its translation, and leaves one submission in review', async () => {
  await seedDemo(handle.db, { production: false });
  const visitor = anonymousCaller(handle.db);
  const all = await visitor.journal.search({});
  expect(all.articles.map((a) => a.language).sort()).toEqual(expect.arrayContaining(['en', 'zh']));
  const translation = all.articles.find((a) => a.type === 'translation' && a.title.startsWith('Clinical observation'));
  expect(translation?.translationOf?.language).toBe('zh');
  const study = all.articles.find((a) => a.title.startsWith('Enhanced external counterpulsation'));
  expect(study?.hasPdf).toBe(false);
  expect(study?.deviceManufacturerTies).toContain('manufacturer');
  const hits = await visitor.journal.search({ q: 'percutaneous' });
  expect(hits.articles.map((a) => a.id)).toEqual([study?.id]);
});
