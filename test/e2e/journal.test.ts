import { readdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { demoPdfBytes } from '#scripts/demo-pdf.ts';
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
  const { demoPdfBytes } = await import('#scripts/demo-pdf.ts');
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

/** Every route file under src/pages/journal, relative to it (a new one must be added to PAGE_ROUTES below). */
function journalRouteFiles(): string[] {
  return readdirSync('src/pages/journal', { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(astro|ts)$/.test(f))
    .map((f) => f.replaceAll('\\', '/'))
    .sort();
}

interface JournalIds {
  submission: string;
  reviews: string[];
  files: string[];
  article: string;
  issue: string;
  translation: string;
}

/**
 * The URLs of each journal route file for the submission under test, visited as the reviewer and as the
 * author (pages they may not open answer with a redirect, 403 or 404, which are read too).
 */
const PAGE_ROUTES: Record<string, (ids: JournalIds) => string[]> = {
  'index.astro': () => ['/journal', '/journal?q=review'],
  'submit.astro': (i) => ['/journal/submit', `/journal/submit?id=${i.submission}`],
  'submissions/index.astro': () => ['/journal/submissions'],
  'submissions/[id].astro': (i) => [`/journal/submissions/${i.submission}`],
  'reviews/index.astro': () => ['/journal/reviews'],
  'reviews/[id].astro': (i) => i.reviews.map((r) => `/journal/reviews/${r}`),
  'files/[id].ts': (i) => i.files.map((f) => `/journal/files/${f}`),
  'editor/index.astro': () => ['/journal/editor'],
  'editor/[id].astro': (i) => [`/journal/editor/${i.submission}`],
  'editor/production.astro': (i) => [`/journal/editor/production?id=${i.submission}`],
  'editor/issues/index.astro': () => ['/journal/editor/issues'],
  'editor/issues/[id].astro': (i) => [`/journal/editor/issues/${i.issue}`],
  'editor/issues/[id]/crossref.xml.ts': (i) => [`/journal/editor/issues/${i.issue}/crossref.xml`],
  'editors.astro': () => ['/journal/editors'],
  'issues/index.astro': () => ['/journal/issues'],
  'issues/[id].astro': (i) => [`/journal/issues/${i.issue}`],
  'articles/[id]/index.astro': (i) => [`/journal/articles/${i.article}`],
  'articles/[id]/cite.bib.ts': (i) => [`/journal/articles/${i.article}/cite.bib`],
  'articles/[id]/cite.ris.ts': (i) => [`/journal/articles/${i.article}/cite.ris`],
  'articles/[id]/jats.xml.ts': (i) => [`/journal/articles/${i.article}/jats.xml`],
  'articles/[id]/crossref.xml.ts': (i) => [`/journal/articles/${i.article}/crossref.xml`],
  'articles/[id]/pdf.ts': (i) => [`/journal/articles/${i.article}/pdf`],
  'feed.xml.ts': () => ['/journal/feed.xml'],
  'translations/index.astro': () => ['/journal/translations'],
  'translations/[id].astro': (i) => [`/journal/translations/${i.translation}`],
};

/**
 * Double-anonymous review at the page level (issue 17): a submission in its second round of review (the
 * first round's annotated file shared with the authors, a revision sent) and every journal page, download
 * and file, fetched as its reviewer and as its author: neither finds a name, email, ORCID or affiliation of
 * the other side. A journal route file missing from PAGE_ROUTES fails the test. Then the new pages (issues,
 * editors, withdrawal, the annotated-file field) pass axe.
 */
test('no journal page a reviewer or an author can reach names the other side', { timeout: 240_000 }, async () => {
  const { makeUser } = await import('#test/helpers/factories.ts');
  const { createSession } = await import('#src/server/auth/session.ts');
  const { holdsText, identifiedPdf } = await import('#test/helpers/identified-documents.ts');
  const { orcidCheckCharacter } = await import('#src/lib/orcid.ts');
  const { journalTranslations, users } = await import('#db/schema/index.ts');
  const { eq } = await import('drizzle-orm');
  const submissions = await import('#src/server/services/journal-submissions.ts');
  const editorial = await import('#src/server/services/journal-editorial.ts');
  const reviewFiles = await import('#src/server/services/journal-review-files.ts');
  const issues = await import('#src/server/services/journal-issues.ts');
  const articles = await import('#src/server/services/journal-articles.ts');
  const { createMailer } = await import('#src/server/mail/mailer.ts');
  const { resolve } = await import('node:path');
  expect(journalRouteFiles()).toEqual(Object.keys(PAGE_ROUTES).sort());

  const db = portal.server.db.db;
  const deps = { mailer: createMailer({ from: 'e2e <e2e@iecpa.test>' }), siteUrl: portal.server.url };
  const meta = { ipAddress: '203.0.113.9', userAgent: 'e2e' };
  const serverUploads = resolve(portal.server.databaseUrl.replace(/^file:/, ''), '..', 'uploads');
  const ok = <T extends { ok: boolean }>(result: T): Extract<T, { ok: true }> => {
    if (!result.ok) throw new Error((result as unknown as { message: string }).message);
    return result as Extract<T, { ok: true }>;
  };
  // Names used nowhere else on the site, so any occurrence is a leak.
  const author = await makeUser(db, { roles: ['member'], name: 'Ingrid Vasquezholm', email: 'ingrid.vh@example.org' });
  const reviewer = await makeUser(db, {
    roles: ['member', 'reviewer'],
    name: 'Odalys Brennerman',
    email: 'odalys.b@example.org',
  });
  const [editorRow] = await db.select().from(users).where(eq(users.email, 'editor@iecpa.test'));
  if (!editorRow) throw new Error('no demo editor');
  const editor = { id: editorRow.id, email: editorRow.email, roles: ['member', 'editor'] as ('member' | 'editor')[] };
  const orcidBase = '000000031415926';
  const orcid = `${orcidBase.slice(0, 4)}-${orcidBase.slice(4, 8)}-${orcidBase.slice(8, 12)}-${orcidBase.slice(12)}${orcidCheckCharacter(orcidBase)}`;
  const people = [
    {
      givenNames: 'Ingrid',
      surname: 'Vasquezholm',
      email: author.email,
      orcid,
      affiliation: 'Fjordside Cardiac Unit',
      country: 'NO',
      corresponding: true,
    },
    {
      givenNames: 'Bartholomew',
      surname: 'Quillfeather',
      email: 'b.quill@example.org',
      orcid: '',
      affiliation: 'Quillfeather Vascular Institute',
      country: 'IE',
      corresponding: false,
    },
  ];
  const draft = {
    type: 'original-research' as const,
    title: 'Cuff pressure titration under double-anonymous review (e2e)',
    abstract: { background: 'B.', methods: 'M.', results: 'R.', conclusions: 'C.' },
    keywords: ['titration'],
    language: 'en',
    coverLetter: 'Cover.',
    authors: people,
    declarations: {
      competingInterests: 'None.',
      deviceManufacturerTies: 'None.',
      funding: 'None.',
      ethicsApproval: 'Approved.',
      consent: 'Given.',
      registration: 'None.',
      dataAvailability: 'On request.',
    },
  };
  const { demoPdfBytes } = await import('#scripts/demo-pdf.ts');
  const cookieOf = async (userId: string) => `iecpa_session=${(await createSession(db, userId, true, meta)).token}`;
  const submissionId = ok(await submissions.saveDraft(db, author.id, draft)).submissionId;
  const files: string[] = [];
  const addFiles = async (round: number) => {
    for (const kind of ['manuscript', 'anonymised'] as const) {
      const name = kind === 'manuscript' ? `Vasquezholm-named-${round}.pdf` : `blinded-${round}.pdf`;
      files.push(
        ok(
          await submissions.addFile(
            db,
            serverUploads,
            author.id,
            { submissionId, kind, file: { bytes: demoPdfBytes(), name } },
            meta,
          ),
        ).file.id,
      );
    }
  };
  await addFiles(0);
  ok(await submissions.submit(db, deps, author.id, { submissionId }, meta));
  ok(await editorial.assignEditor(db, editor, { submissionId, editorId: editor.id }, meta));
  ok(await editorial.decide(db, deps, editor, { submissionId, decision: 'send-to-review', note: '' }, meta));
  const reviewerActor = {
    id: reviewer.id,
    email: reviewer.email,
    roles: ['member', 'reviewer'] as ('member' | 'reviewer')[],
  };
  const due = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
  const round1 = ok(
    await editorial.invite(
      db,
      deps,
      editor,
      { submissionId, reviewerId: reviewer.id, dueOn: due, acknowledgeSharedAffiliation: false },
      meta,
    ),
  ).reviewId;
  ok(await editorial.respond(db, deps, reviewerActor, { reviewId: round1, accept: true }, meta));
  const annotation = ok(
    await reviewFiles.attachAnnotation(
      db,
      serverUploads,
      reviewerActor,
      {
        reviewId: round1,
        file: { bytes: await identifiedPdf(reviewer.name, reviewer.email), name: 'Brennerman-notes.pdf' },
      },
      meta,
    ),
  ).file;
  files.push(annotation.id);
  ok(
    await editorial.submitReport(
      db,
      deps,
      reviewerActor,
      {
        reviewId: round1,
        recommendation: 'major-revisions',
        commentsToAuthors: 'Please add the pressure protocol.',
        commentsToEditor: 'Confidential: I know this group.',
      },
      meta,
    ),
  );
  // The editor's page before the decision: the chief's assign form and the annotated file to share.
  const editorCookie = await cookieOf(editor.id);
  const decisionPage = await portal.newPage(editorCookie);
  await goto(decisionPage, `/journal/editor/${submissionId}`);
  expect(await decisionPage.getByRole('group', { name: 'Annotated manuscripts to send to the authors' }).count()).toBe(
    1,
  );
  expect(await decisionPage.getByRole('heading', { name: 'Assign an editor (editor-in-chief)' }).count()).toBe(1);
  await expectAccessible(decisionPage, 'editor-decision-share-1280');
  await decisionPage.setViewportSize({ width: 390, height: 844 });
  await expectAccessible(decisionPage, 'editor-decision-share-390');
  await decisionPage.close();
  ok(
    await editorial.decide(
      db,
      deps,
      editor,
      { submissionId, decision: 'major-revisions', note: 'Please revise.', shareAnnotations: [round1] },
      meta,
    ),
  );
  await addFiles(1);
  ok(await submissions.submit(db, deps, author.id, { submissionId, response: 'Added the protocol.' }, meta));
  ok(await editorial.decide(db, deps, editor, { submissionId, decision: 'send-to-review', note: '' }, meta));
  const round2 = ok(
    await editorial.invite(
      db,
      deps,
      editor,
      { submissionId, reviewerId: reviewer.id, dueOn: due, acknowledgeSharedAffiliation: false },
      meta,
    ),
  ).reviewId;
  ok(await editorial.respond(db, deps, reviewerActor, { reviewId: round2, accept: true }, meta));
  const issue = ok(
    await issues.createIssue(db, editor, { volume: 90, number: 1, year: 2026, coverText: 'E2E issue.' }, meta),
  ).issueId;
  const [article] = (await articles.searchArticles(db, { q: 'percutaneous', page: 1 })).articles;
  const [translation] = await db.select({ id: journalTranslations.id }).from(journalTranslations).limit(1);
  if (!article || !translation) throw new Error('no demo article or translation');
  ok(await issues.addArticleToIssue(db, editor, { issueId: issue, articleId: article.id }, meta));
  ok(await issues.publishIssue(db, deps, editor, issue, meta));
  const ids: JournalIds = {
    submission: submissionId,
    reviews: [round1, round2],
    files,
    article: article.id,
    issue,
    translation: translation.id,
  };

  const authorSecrets = [
    ...people.flatMap((p) => [p.givenNames, p.surname, p.email, p.affiliation, p.orcid]),
    author.name,
    'Vasquezholm-named',
  ].filter(Boolean);
  const reviewerSecrets = [reviewer.name, reviewer.email, 'Odalys', 'Brennerman', 'Confidential: I know'];
  const sides = [
    {
      who: 'the reviewer',
      cookie: await cookieOf(reviewer.id),
      secrets: authorSecrets,
      mustSee: 'Cuff pressure titration',
      on: `/journal/reviews/${round2}`,
    },
    {
      who: 'the author',
      cookie: await cookieOf(author.id),
      secrets: reviewerSecrets,
      mustSee: 'Reviewer 1, round 1: annotated manuscript',
      on: `/journal/submissions/${submissionId}`,
    },
  ];
  for (const side of sides) {
    for (const [file, urls] of Object.entries(PAGE_ROUTES)) {
      for (const url of urls(ids)) {
        const response = await fetch(`${portal.server.url}${url}`, { headers: { cookie: side.cookie } });
        const bytes = new Uint8Array(await response.arrayBuffer());
        const text =
          `${[...response.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n${Buffer.from(bytes).toString('utf8')}`.toLowerCase();
        for (const secret of side.secrets) {
          const leaked = text.includes(secret.toLowerCase()) || holdsText(bytes, secret);
          expect(leaked, `${side.who} reads "${secret}" at ${url} (${file}, ${response.status})`).toBe(false);
        }
        if (url === side.on) expect(text, `${side.who} reads ${url}`).toContain(side.mustSee.toLowerCase());
      }
    }
  }

  // The editor downloads the issue's Crossref deposit (the schema's rules); the article names its issue.
  const { expectCrossrefBatch } = await import('#test/helpers/crossref-rules.ts');
  const { parseXml } = await import('#test/helpers/xml-structure.ts');
  const deposit = await fetch(`${portal.server.url}/journal/editor/issues/${issue}/crossref.xml`, {
    headers: { cookie: editorCookie },
  });
  expect(deposit.status).toBe(200);
  expect(deposit.headers.get('content-disposition')).toBe('attachment; filename="iecpa-vol90-no1-crossref.xml"');
  expectCrossrefBatch(parseXml(await deposit.text()));
  const articlePage = await (await fetch(`${portal.server.url}/journal/articles/${article.id}`)).text();
  expect(articlePage).toContain('Vol 90, No 1 (2026)');
  expect(articlePage).toContain('name="citation_volume" content="90"');

  // The new pages, as their users see them: axe clean, screenshots.
  const newPages: [string, string | undefined][] = [
    ['/journal/issues', undefined],
    [`/journal/issues/${issue}`, undefined],
    [`/journal/articles/${article.id}`, undefined],
    [`/journal/editor/issues/${issue}`, editorCookie],
    ['/journal/editor/issues', editorCookie],
    ['/journal/editors', editorCookie],
    [`/journal/reviews/${round2}`, sides[0]?.cookie],
    [`/journal/submissions/${submissionId}`, sides[1]?.cookie],
  ];
  for (const [path, cookie] of newPages) {
    const page = await portal.newPage(cookie);
    await goto(page, path);
    const name = path
      .replace(/^\/journal\//, '')
      .replace(/[^a-z0-9]+/gi, '-')
      .slice(0, 40);
    await expectAccessible(page, `${name}-1280`);
    await page.setViewportSize({ width: 390, height: 844 });
    await expectAccessible(page, `${name}-390`);
    await page.close();
  }
});
