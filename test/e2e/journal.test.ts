import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { demoPdfBytes } from '#scripts/demo-seed.ts';
import { demoAccount, screenshotAndAxe, usePortal } from '#test/helpers/e2e-portal.ts';

const portal = usePortal();

const TITLE = 'Counterpulsation timing audit in a rural clinic (e2e)';

async function expectAccessible(page: Page, name: string): Promise<void> {
  expect(await screenshotAndAxe(page, `journal-${name}`), name).toEqual([]);
}

async function goto(page: Page, path: string): Promise<void> {
  const response = await page.goto(`${portal.server.url}${path}`, { waitUntil: 'networkidle' });
  expect(response?.status(), path).toBe(200);
}

/** The page's session cookie as `name=value`, to open another tab as the same person. */
async function sessionCookieOf(page: Page): Promise<string> {
  const cookie = (await page.context().cookies()).find((c) => c.name.endsWith('iecpa_session'));
  if (!cookie) throw new Error('not signed in');
  return `${cookie.name}=${cookie.value}`;
}

/** Fills a form field by its name attribute (author rows repeat their labels). */
async function fill(page: Page, name: string, value: string): Promise<void> {
  await page.locator(`[name="${name}"]`).fill(value);
}

/**
 * Issue 17's end-to-end path in a real browser on the built server: an author submits with a PDF, a
 * reviewer reviews, an editor decides and publishes, a reader finds the article, downloads the PDF and
 * reads the citation; axe on each page, screenshots at 1280 and 390 px.
 */
test('an author submits, a reviewer reviews, the editor publishes and a reader downloads the PDF', {
  timeout: 300_000,
}, async () => {
  const pdf = { name: 'manuscript.pdf', mimeType: 'application/pdf', buffer: Buffer.from(demoPdfBytes()) };

  // The author (the demo member) fills in the submission form and sends it.
  const author = await portal.signedInPage(demoAccount('member@iecpa.test'));
  const authorCookie = await sessionCookieOf(author);
  await goto(author, '/journal/submit');
  await expectAccessible(author, 'submit-form');
  await fill(author, 'title', TITLE);
  await fill(author, 'abstract.background', 'Timing errors reduce the benefit of counterpulsation.');
  await fill(author, 'abstract.methods', 'We audited 120 sessions for inflation and deflation timing.');
  await fill(author, 'abstract.results', 'Late deflation occurred in 14 of 120 sessions.');
  await fill(author, 'abstract.conclusions', 'Regular timing audits are worthwhile.');
  await fill(author, 'keywords', 'timing, audit');
  await fill(author, 'authors.0.givenNames', 'Maria');
  await fill(author, 'authors.0.surname', 'Member');
  await fill(author, 'authors.0.email', 'member@iecpa.test');
  await fill(author, 'authors.0.orcid', '0000-0002-1825-0097');
  await fill(author, 'authors.0.affiliation', 'Thameside Heart Centre (demo)');
  await author.locator('[name="authors.0.country"]').selectOption('GB');
  await author.locator('#corresponding-0').check();
  for (const [key, value] of [
    ['competingInterests', 'None.'],
    ['deviceManufacturerTies', 'None.'],
    ['funding', 'None.'],
    ['ethicsApproval', 'Service evaluation; no approval needed.'],
    ['consent', 'Not applicable.'],
    ['registration', 'Not registered.'],
    ['dataAvailability', 'On request.'],
  ]) {
    await fill(author, `declarations.${key}`, value ?? '');
  }
  await author.locator('[name="file.manuscript"]').setInputFiles(pdf);
  await author.locator('[name="file.anonymised"]').setInputFiles({ ...pdf, name: 'anonymised.pdf' });
  await author.getByRole('button', { name: 'Send to the journal' }).click();
  await author.waitForURL((url) => url.pathname.startsWith('/journal/submissions/'));
  expect(await author.getByTestId('submission-status').textContent()).toContain('Submitted');
  const submissionPath = new URL(author.url()).pathname;
  const submissionId = submissionPath.split('/').at(-1) ?? '';
  await expectAccessible(author, 'submission-status');

  // The editor takes it, sends it to review and invites the demo reviewer.
  // The tabs share one browser context (one cookie jar): each person signs in once, and their session
  // cookie opens their later tabs (a second sign-in would spend another TOTP step).
  let editor = await portal.signedInPage(demoAccount('editor@iecpa.test'));
  const editorCookie = await sessionCookieOf(editor);
  await goto(editor, '/journal/editor');
  await expectAccessible(editor, 'editor-queue');
  await goto(editor, `/journal/editor/${submissionId}`);
  await editor.getByRole('button', { name: 'Handle this submission' }).click();
  await editor.waitForURL((url) => url.searchParams.get('done') === 'take');
  await editor.locator('select[name="decision"]').selectOption('send-to-review');
  await editor.getByRole('button', { name: 'Record and mail the decision' }).click();
  await editor.waitForURL((url) => url.searchParams.get('done') === 'decide');
  await editor.getByLabel('Reviewer', { exact: true }).selectOption({ label: 'Ravi Reviewer' });
  await editor.getByRole('button', { name: 'Invite and mail the reviewer' }).click();
  await editor.waitForURL((url) => url.searchParams.get('done') === 'invite');
  await expectAccessible(editor, 'editor-submission');

  // The reviewer accepts and reports; they see the anonymised copy and no author's name.
  const reviewer = await portal.signedInPage(demoAccount('reviewer@iecpa.test'));
  await goto(reviewer, '/journal/reviews');
  await reviewer.getByRole('link', { name: TITLE }).click();
  await reviewer.getByRole('button', { name: 'Accept the invitation' }).click();
  await reviewer.waitForURL((url) => url.searchParams.get('done') === 'accept');
  const reviewText = (await reviewer.getByRole('main').textContent()) ?? '';
  expect(reviewText).toContain('anonymised.pdf');
  expect(reviewText).not.toContain('Maria');
  expect(reviewText).not.toContain('manuscript.pdf');
  await reviewer.getByLabel('Recommendation').selectOption('accept');
  await reviewer.getByLabel('Comments to the authors').fill('A clear and useful audit.');
  await expectAccessible(reviewer, 'review-form');
  await reviewer.getByRole('button', { name: 'Send the report' }).click();
  await reviewer.waitForURL((url) => url.searchParams.get('done') === 'report');
  expect(await reviewer.getByTestId('review-status').textContent()).toContain('Report sent');

  // The editor accepts, adds the full text and the PDF, and publishes.
  editor = await portal.newPage(editorCookie);
  await goto(editor, `/journal/editor/${submissionId}`);
  await editor.locator('select[name="decision"]').selectOption('accept');
  await editor.getByRole('button', { name: 'Record and mail the decision' }).click();
  await editor.waitForURL((url) => url.searchParams.get('done') === 'decide');
  // The author reads the decision letter and history: the reviewer is "Reviewer 1", never named.
  const authorAgain = await portal.newPage(authorCookie);
  await goto(authorAgain, submissionPath);
  const authorText = (await authorAgain.getByRole('main').textContent()) ?? '';
  expect(authorText).toContain('A clear and useful audit.');
  for (const secret of ['Ravi', 'Reviewer@', 'reviewer@iecpa.test']) expect(authorText).not.toContain(secret);
  await authorAgain.close();
  editor = await portal.newPage(editorCookie);
  await goto(editor, `/journal/editor/${submissionId}`);
  await editor.getByRole('link', { name: 'Copyediting and production' }).click();
  await editor
    .getByLabel('Full text (Markdown)')
    .fill('## Methods\n\nWe audited 120 sessions.\n\n## Results\n\nLate deflation in 14.');
  await editor.getByLabel(/References/).fill('Arora RR, et al. J Am Coll Cardiol. 1999;33(7):1833-40.');
  await editor.locator('[name="file"]').setInputFiles({ ...pdf, name: 'article.pdf' });
  await editor.getByRole('button', { name: 'Save' }).click();
  await editor.waitForURL((url) => url.searchParams.get('saved') === '1');
  await expectAccessible(editor, 'production');
  await editor.getByRole('button', { name: 'Publish the article' }).click();
  await editor.waitForURL((url) => url.pathname.startsWith('/journal/articles/'));
  const articlePath = new URL(editor.url()).pathname;

  // A reader finds it, reads it, downloads the PDF and sees the citation.
  for (const [width, height] of [
    [1280, 800],
    [390, 844],
  ] as const) {
    const reader = await portal.newPage();
    await reader.setViewportSize({ width, height });
    await goto(reader, `/journal?q=${encodeURIComponent('timing audit')}`);
    await expectAccessible(reader, `search-${width}`);
    await reader.getByRole('link', { name: TITLE }).click();
    await reader.waitForURL((url) => url.pathname === articlePath);
    await expectAccessible(reader, `article-${width}`);
    const main = (await reader.getByRole('main').textContent()) ?? '';
    expect(main).toContain('Ties to device manufacturers');
    expect(main).toContain('ORCID 0000-0002-1825-0097');
    expect(main).not.toContain('member@iecpa.test');
    const citation = (await reader.getByTestId('citation-vancouver').textContent()) ?? '';
    expect(citation).toMatch(
      /^Member M\. Counterpulsation timing audit in a rural clinic \(e2e\)\. IECPA J\. \d{4} [A-Z][a-z]{2} \d{1,2};e\d{7}\. doi:10\.5555\/iecpa\.\d{4}\.\d{3}$/,
    );
    const [download] = await Promise.all([
      reader.waitForEvent('download'),
      reader.getByRole('link', { name: 'Download the PDF' }).click(),
    ]);
    const path = await download.path();
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(path).subarray(0, 5).toString()).toBe('%PDF-');
    await reader.close();
  }

  // The citation downloads, the feed and OAI-PMH (a harvester may POST from anywhere).
  const base = `${portal.server.url}${articlePath}`;
  const ris = await fetch(`${base}/cite.ris`);
  expect(ris.status).toBe(200);
  expect(await ris.text()).toContain('TI  - Counterpulsation timing audit in a rural clinic (e2e)');
  expect(await (await fetch(`${base}/cite.bib`)).text()).toContain('@article{');
  expect(await (await fetch(`${portal.server.url}/journal/feed.xml`)).text()).toContain(TITLE);
  const oai = await fetch(`${portal.server.url}/oai`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://harvester.example' },
    body: 'verb=ListIdentifiers&metadataPrefix=oai_dc',
  });
  expect(oai.status).toBe(200);
  expect(await oai.text()).toContain(`:${articlePath.split('/').at(-1)}</identifier>`);

  // The seeded Chinese original and its translation are linked both ways, with lang attributes.
  const reader = await portal.newPage();
  await goto(reader, '/journal?language=zh');
  await reader.locator('a[lang="zh"]').first().click();
  await reader.waitForLoadState('networkidle');
  expect(await reader.locator('h1').getAttribute('lang')).toBe('zh');
  await reader.getByRole('link', { name: /Clinical observation/ }).click();
  await reader.waitForLoadState('networkidle');
  expect(await reader.locator('.translation-note span[lang="zh"]').count()).toBe(1);
  expect((await reader.getByRole('main').textContent()) ?? '').toContain(
    'Translated from Chinese by Tatiana Translator',
  );
  await expectAccessible(reader, 'translation');
});

/**
 * Every text field an editor, a reviewer or a reader sees, filled with the handbook's XSS corpus: the
 * pages show the text, never markup (Astro escapes it; the full text goes through the sanitising renderer).
 */
test('HTML, javascript: and SVG payloads in every text field stay text on the journal pages', {
  timeout: 240_000,
}, async () => {
  const { XSS_PAYLOADS } = await import('#test/helpers/xss-corpus.ts');
  const { demoSessionCookie } = await import('#test/helpers/e2e-portal.ts');
  const { users } = await import('#db/schema/index.ts');
  const { eq } = await import('drizzle-orm');
  const submissions = await import('#src/server/services/journal-submissions.ts');
  const editorial = await import('#src/server/services/journal-editorial.ts');
  const articles = await import('#src/server/services/journal-articles.ts');
  const { createMailer } = await import('#src/server/mail/mailer.ts');
  const db = portal.server.db.db;
  const deps = { mailer: createMailer({ from: 'e2e <e2e@iecpa.test>' }), siteUrl: portal.server.url };
  const meta = { ipAddress: '203.0.113.9', userAgent: 'e2e' };
  const idOf = async (email: string) => {
    const [row] = await db
      .select({ id: users.id, email: users.email, name: users.name })
      .from(users)
      .where(eq(users.email, email));
    if (!row) throw new Error(`no ${email}`);
    return { ...row, roles: ['member', 'editor', 'reviewer'] as ('member' | 'editor' | 'reviewer')[] };
  };
  const member = await idOf('member@iecpa.test');
  const editor = await idOf('editor@iecpa.test');
  const reviewer = await idOf('reviewer@iecpa.test');
  const payload = (i: number) => XSS_PAYLOADS[i % XSS_PAYLOADS.length] ?? '<script>alert(1)</script>';
  let n = 0;
  const p = () => `x ${payload(n++)}`.slice(0, 280);
  const saved = await submissions.saveDraft(db, member.id, {
    type: 'letter',
    title: p(),
    abstract: { background: p(), methods: p(), results: p(), conclusions: p() },
    keywords: [p().slice(0, 60)],
    language: 'en',
    coverLetter: p(),
    authors: [
      {
        givenNames: p().slice(0, 100),
        surname: p().slice(0, 100),
        email: 'member@iecpa.test',
        orcid: '',
        affiliation: p(),
        country: 'GB',
        corresponding: true,
      },
    ],
    declarations: {
      competingInterests: p(),
      deviceManufacturerTies: p(),
      funding: p(),
      ethicsApproval: p(),
      consent: p(),
      registration: p().slice(0, 200),
      dataAvailability: p(),
    },
  });
  if (!saved.ok) throw new Error(saved.message);
  const id = saved.submissionId;
  const { demoPdfBytes } = await import('#scripts/demo-seed.ts');
  const { resolve } = await import('node:path');
  // The server's UPLOAD_DIR is `uploads` beside its database (test/helpers/server.ts).
  const serverUploads = resolve(portal.server.databaseUrl.replace(/^file:/, ''), '..', 'uploads');
  for (const kind of ['manuscript', 'anonymised'] as const) {
    const added = await submissions.addFile(
      db,
      serverUploads,
      member.id,
      { submissionId: id, kind, file: { bytes: demoPdfBytes(), name: `${kind}.pdf` } },
      meta,
    );
    if (!added.ok) throw new Error(added.message);
  }
  for (const step of [
    () => submissions.submit(db, deps, member.id, { submissionId: id }, meta),
    () => editorial.assignEditor(db, editor, { submissionId: id, editorId: editor.id }, meta),
    () => editorial.decide(db, deps, editor, { submissionId: id, decision: 'send-to-review', note: p() }, meta),
  ]) {
    const result = await step();
    if (!result.ok) throw new Error(result.message);
  }
  const invited = await editorial.invite(
    db,
    deps,
    editor,
    {
      submissionId: id,
      reviewerId: reviewer.id,
      dueOn: new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10),
      acknowledgeSharedAffiliation: true,
    },
    meta,
  );
  if (!invited.ok) throw new Error(invited.message);
  await editorial.respond(db, deps, reviewer, { reviewId: invited.reviewId, accept: true }, meta);
  await editorial.submitReport(
    db,
    deps,
    reviewer,
    { reviewId: invited.reviewId, recommendation: 'accept', commentsToAuthors: p(), commentsToEditor: p() },
    meta,
  );
  await editorial.decide(db, deps, editor, { submissionId: id, decision: 'accept', note: p() }, meta);
  await editorial.saveProduction(
    db,
    editor,
    { submissionId: id, bodyMarkdown: XSS_PAYLOADS.join('\n\n'), references: [p(), p()] },
    meta,
  );
  const published = await articles.publishSubmission(db, deps, editor, id, meta);
  if (!published.ok) throw new Error(published.message);
  await articles.addNotice(db, editor, { articleId: published.articleId, kind: 'correction', text: p() }, meta);

  const memberSession = await demoSessionCookie(portal.server.url, 'member@iecpa.test');
  const editorSession = await demoSessionCookie(portal.server.url, 'editor@iecpa.test');
  const reviewerSession = await demoSessionCookie(portal.server.url, 'reviewer@iecpa.test');
  const pages: [string, string | undefined][] = [
    [`/journal/articles/${published.articleId}`, undefined],
    ['/journal?q=x', undefined],
    [`/journal/submissions/${id}`, memberSession],
    ['/journal/submissions', memberSession],
    [`/journal/editor/${id}`, editorSession],
    ['/journal/editor', editorSession],
    [`/journal/reviews/${invited.reviewId}`, reviewerSession],
    ['/journal/reviews', reviewerSession],
  ];
  for (const [path, cookie] of pages) {
    const page = await portal.newPage(cookie);
    await goto(page, path);
    // What the browser built from the page: no active element from the payloads inside <main> (images the
    // sanitiser keeps from Markdown are checked by their src and attributes).
    const active = await page.evaluate(() => {
      const main = document.querySelector('main');
      if (!main) return ['no main'];
      const found: string[] = [];
      for (const el of main.querySelectorAll('*')) {
        const tag = el.tagName.toLowerCase();
        if (
          ['script', 'iframe', 'object', 'embed', 'svg', 'math', 'style', 'form'].includes(tag) &&
          !el.closest('form[method]')
        )
          found.push(tag);
        for (const attr of el.getAttributeNames()) if (/^on/i.test(attr)) found.push(`${tag}[${attr}]`);
        const href = el.getAttribute('href') ?? el.getAttribute('src') ?? '';
        if (/^\s*(javascript|data|vbscript):/i.test(href)) found.push(`${tag} ${href}`);
      }
      return found;
    });
    expect(active, path).toEqual([]);
    await page.close();
  }
});
