/**
 * The journal's first content (issue 17, item 7), so every journal page has something to show: one
 * published demo study (EECP after PCI; the data are invented for the demo and say so), one Chinese-
 * language original with its published English translation (linked both ways), and one submission in
 * review (submitted by the demo member, handled by the demo editor, with the demo reviewer's accepted
 * invitation). Rows are written directly (no mail: the outbox stays empty for the e2e tests that count
 * it). Seeds once: skipped when the journal already has articles or submissions.
 */
import { count, eq } from 'drizzle-orm';
import type { Db } from '#db/client.ts';
import {
  journalArticles,
  journalEditors,
  journalEvents,
  journalFiles,
  journalReviews,
  journalSubmissionAuthors,
  journalSubmissions,
  journalTranslations,
  users,
} from '#db/schema/index.ts';
import { DAY_MS } from '#src/lib/dates.ts';
import { newId } from '#src/server/ids.ts';
import { insertArticle } from '#src/server/services/journal-articles.ts';
import { JOURNAL_FILES_FOLDER } from '#src/server/services/journal-submissions.ts';
import { personFromName, storeArticlePdf } from '#src/server/services/journal-translations.ts';
import { newStoredName, writeStoredFile } from '#src/server/uploads.ts';
import { demoPdfBytes } from './demo-pdf.ts';

export const DEMO_ARTICLE_TITLE =
  'Enhanced external counterpulsation for residual angina after percutaneous coronary intervention: a prospective cohort (demo data)';

const DEMO_ARTICLE_BODY = `> **Demo content.** This article was written for the portal's demonstration. The patients, numbers and
> results are invented and must not be cited or used for clinical decisions.

## Introduction

Angina persists in a fifth to a third of patients in the year after a technically successful percutaneous
coronary intervention (PCI). Enhanced external counterpulsation (EECP) is a non-invasive treatment for
refractory angina: three pairs of leg cuffs inflate in sequence at the start of diastole and deflate before
systole, raising diastolic perfusion pressure and reducing afterload. We describe a cohort of patients
treated with EECP for residual angina after PCI.

## Methods

Consecutive adults with Canadian Cardiovascular Society (CCS) class II–IV angina at least three months after
complete PCI were offered a standard course of 35 one-hour sessions. Treatment pressure was titrated to a
diastolic-to-systolic peak pressure ratio of at least 1.2. The primary outcome was an improvement of at
least one CCS class at the end of the course; secondary outcomes were the weekly number of angina episodes,
sublingual nitrate use, and the 6-minute walk distance.

## Results

Sixty patients (mean age 64 years, 18 women) started the course and 56 completed it. CCS class improved by
at least one class in 41 of 60 patients (68 %). Weekly angina episodes fell from a median of 6 to 2, and the
6-minute walk distance rose by a mean of 48 m. Two patients stopped because of leg skin abrasion; no major
adverse cardiac event occurred during treatment.

| Outcome | Before | After |
|---|---|---|
| CCS class III–IV | 31 | 9 |
| Angina episodes per week (median) | 6 | 2 |
| 6-minute walk distance (m, mean) | 362 | 410 |

## Discussion

In this demonstration cohort EECP after PCI was feasible and was followed by less angina and better
exercise capacity. Without a control group, regression to the mean and a placebo effect cannot be excluded;
a randomised comparison with sham counterpulsation is needed.
`;

const DEMO_REFERENCES = [
  'Arora RR, Chou TM, Jain D, Fleishman B, Crawford L, McKiernan T, et al. The multicenter study of enhanced external counterpulsation (MUST-EECP): effect of EECP on exercise-induced myocardial ischemia and anginal episodes. J Am Coll Cardiol. 1999;33(7):1833-40.',
  'Shah SA, Shapiro RJ, Mehta R, Snyder JA. Impact of enhanced external counterpulsation on Canadian Cardiovascular Society angina class in patients with chronic stable angina: a meta-analysis. Pharmacotherapy. 2010;30(7):639-45.',
];

const ZH_TITLE = '体外反搏治疗慢性稳定性心绞痛的临床观察（演示数据）';
const ZH_ABSTRACT = {
  background: '体外反搏是一种无创的辅助循环治疗方法。',
  methods: '纳入四十例慢性稳定性心绞痛患者，接受三十五次、每次一小时的体外反搏治疗。',
  results: '治疗后心绞痛发作次数明显减少，运动耐量提高。',
  conclusions: '体外反搏治疗慢性稳定性心绞痛安全有效（演示数据，请勿引用）。',
};
const ZH_BODY = `> **演示内容。** 本文为门户网站演示而写，数据均为虚构。

## 方法

纳入四十例慢性稳定性心绞痛患者，每日接受一小时体外反搏治疗，共三十五次。

## 结果

治疗后每周心绞痛发作次数由五次降至二次。
`;
const EN_ABSTRACT = {
  background: 'External counterpulsation is a non-invasive circulatory assist treatment.',
  methods: 'Forty patients with chronic stable angina received 35 one-hour sessions of external counterpulsation.',
  results: 'After treatment, angina episodes were clearly fewer and exercise tolerance improved.',
  conclusions: 'External counterpulsation was safe and effective for chronic stable angina (demo data, do not cite).',
};
const EN_BODY = `> **Demo content.** Written for the portal's demonstration; the data are invented.

## Methods

Forty patients with chronic stable angina received one hour of external counterpulsation daily, 35 sessions in all.

## Results

Weekly angina episodes fell from five to two after treatment.
`;

async function storePdf(uploadDir: string | undefined, bytes: Uint8Array): Promise<string | null> {
  if (!uploadDir) return null;
  const storedName = newStoredName();
  await writeStoredFile(uploadDir, JOURNAL_FILES_FOLDER, storedName, bytes);
  return storedName;
}

async function userIdOf(db: Db, email: string): Promise<{ id: string; name: string } | null> {
  const [row] = await db.select({ id: users.id, name: users.name }).from(users).where(eq(users.email, email));
  return row ?? null;
}

/** Seeds the journal's demo content once; true when it wrote anything. */
export async function seedJournalDemo(db: Db, options: { now: number; uploadDir?: string }): Promise<boolean> {
  const [articles] = await db.select({ n: count() }).from(journalArticles);
  const [submissions] = await db.select({ n: count() }).from(journalSubmissions);
  if ((articles?.n ?? 0) > 0 || (submissions?.n ?? 0) > 0) return false;
  const editor = await userIdOf(db, 'editor@iecpa.test');
  const reviewer = await userIdOf(db, 'reviewer@iecpa.test');
  const member = await userIdOf(db, 'member@iecpa.test');
  const translator = await userIdOf(db, 'translator@iecpa.test');
  if (!editor || !reviewer || !member || !translator) return false;
  const { now, uploadDir } = options;
  const at = (daysAgo: number) => now - daysAgo * DAY_MS;

  let translationArticleId: string | null = null;
  await db.transaction(async (tx) => {
    await tx.insert(journalEditors).values({ userId: editor.id, chief: true, updatedAt: now });

    // 1. The published demo study, with its PDF.
    await insertArticle(
      tx,
      {
        submissionId: null,
        translationId: null,
        type: 'original-research',
        title: DEMO_ARTICLE_TITLE,
        language: 'en',
        abstract: {
          background: 'Angina persists in some patients after technically successful PCI.',
          methods:
            'Prospective single-centre cohort of 60 patients given 35 one-hour EECP sessions for residual angina at least three months after PCI.',
          results:
            'CCS class improved by at least one class in 41 of 60 patients (68 %); weekly angina episodes fell from a median of 6 to 2.',
          conclusions: 'EECP after PCI was feasible and followed by less angina (invented demo data).',
        },
        keywords: ['EECP', 'PCI', 'refractory angina', 'counterpulsation'],
        authors: [
          {
            givenNames: 'Maria',
            surname: 'Member',
            orcid: '0000-0002-1825-0097',
            affiliation: 'Thameside Heart Centre (demo)',
            country: 'GB',
          },
          { givenNames: 'Ana', surname: 'Souza', affiliation: 'Instituto do Coração (demo)', country: 'BR' },
        ],
        translators: [],
        bodyMarkdown: DEMO_ARTICLE_BODY,
        references: DEMO_REFERENCES,
        competingInterests: 'None declared.',
        deviceManufacturerTies:
          'The ECP device was lent to the centre by its manufacturer; the manufacturer had no role in the study or the manuscript.',
        funding: 'None.',
        receivedAt: at(120),
        revisedAt: at(60),
        acceptedAt: at(40),
        pdfStoredName: await storePdf(uploadDir, demoPdfBytes('EECP after PCI (demo article)')),
        translationOfArticleId: null,
        original: null,
      },
      at(30),
    );

    // 2. A Chinese original and its English translation, linked both ways.
    const zh = await insertArticle(
      tx,
      {
        submissionId: null,
        translationId: null,
        type: 'original-research',
        title: ZH_TITLE,
        language: 'zh',
        abstract: ZH_ABSTRACT,
        keywords: ['体外反搏', '心绞痛'],
        authors: [{ givenNames: 'Wei', surname: 'Li', affiliation: 'Demo Heart Hospital, Guangzhou', country: 'CN' }],
        translators: [],
        bodyMarkdown: ZH_BODY,
        references: [],
        competingInterests: '无。 (None.)',
        deviceManufacturerTies: '无。 (None.)',
        funding: '无。 (None.)',
        receivedAt: at(200),
        revisedAt: null,
        acceptedAt: at(170),
        pdfStoredName: null,
        translationOfArticleId: null,
        original: null,
      },
      at(160),
    );
    const translationId = newId();
    const original = {
      title: ZH_TITLE,
      titleLanguage: 'zh',
      abstract: Object.values(ZH_ABSTRACT).join('\n'),
      citation: `Li W. ${ZH_TITLE}. IECPA Journal. ${new Date(at(160)).getUTCFullYear()}. doi:${zh.doi}`,
      doi: zh.doi,
      url: '',
      rights: 'Published under CC BY 4.0; translated with the authors’ agreement.',
    };
    await tx.insert(journalTranslations).values({
      id: translationId,
      status: 'published',
      sourceArticleId: zh.id,
      sourceLanguage: 'zh',
      originalTitle: original.title,
      originalAbstract: original.abstract,
      originalCitation: original.citation,
      originalDoi: zh.doi,
      originalUrl: '',
      rightsStatement: original.rights,
      authorsJson: JSON.stringify([
        { givenNames: 'Wei', surname: 'Li', affiliation: 'Demo Heart Hospital, Guangzhou', country: 'CN' },
      ]),
      translatorId: translator.id,
      reviewerId: editor.id,
      acceptedBy: editor.id,
      title: 'Clinical observation of external counterpulsation for chronic stable angina (demo data)',
      abstractJson: JSON.stringify(EN_ABSTRACT),
      keywordsJson: JSON.stringify(['external counterpulsation', 'angina']),
      bodyMarkdown: EN_BODY,
      reviewComments: 'Approved.',
      articleId: null,
      createdAt: at(100),
      updatedAt: at(20),
    });
    const en = await insertArticle(
      tx,
      {
        submissionId: null,
        translationId,
        type: 'translation',
        title: 'Clinical observation of external counterpulsation for chronic stable angina (demo data)',
        language: 'en',
        abstract: EN_ABSTRACT,
        keywords: ['external counterpulsation', 'angina'],
        authors: [{ givenNames: 'Wei', surname: 'Li', affiliation: 'Demo Heart Hospital, Guangzhou', country: 'CN' }],
        translators: [personFromName(translator.name)],
        bodyMarkdown: EN_BODY,
        references: [],
        competingInterests: 'None (as declared in the original).',
        deviceManufacturerTies: 'None (as declared in the original).',
        funding: 'None (as declared in the original).',
        receivedAt: at(100),
        revisedAt: null,
        acceptedAt: at(25),
        pdfStoredName: null,
        translationOfArticleId: zh.id,
        original,
      },
      at(20),
    );
    await tx.update(journalTranslations).set({ articleId: en.id }).where(eq(journalTranslations.id, translationId));
    translationArticleId = en.id;

    // 3. A submission in review: the demo member's, handled by the demo editor, the demo reviewer invited.
    const submissionId = newId();
    await tx.insert(journalSubmissions).values({
      id: submissionId,
      submitterId: member.id,
      status: 'in-review',
      type: 'case-series',
      title:
        'External counterpulsation in patients with heart failure and reduced ejection fraction: a case series (demo)',
      abstractJson: JSON.stringify({
        background: 'Evidence for ECP in heart failure with reduced ejection fraction is limited.',
        methods: 'Twelve patients in NYHA class II–III treated with 35 sessions of ECP.',
        results: 'NYHA class improved in seven patients; no decompensation occurred during treatment.',
        conclusions: 'ECP was tolerated in this small series (invented demo data).',
      }),
      keywordsJson: JSON.stringify(['ECP', 'heart failure']),
      language: 'en',
      coverLetter: 'We submit a short case series for consideration.',
      competingInterests: 'None declared.',
      deviceManufacturerTies: 'None.',
      funding: 'None.',
      ethicsApproval: 'Approved by the demo hospital ethics committee.',
      consent: 'Written consent from every patient.',
      registration: 'Not registered.',
      dataAvailability: 'On request from the corresponding author.',
      handlingEditorId: editor.id,
      round: 1,
      bodyMarkdown: '',
      referencesJson: '[]',
      createdAt: at(14),
      updatedAt: at(10),
      submittedAt: at(13),
    });
    await tx.insert(journalSubmissionAuthors).values({
      id: newId(),
      submissionId,
      position: 0,
      givenNames: 'Maria',
      surname: 'Member',
      email: 'member@iecpa.test',
      orcid: '',
      affiliation: 'Thameside Heart Centre (demo)',
      country: 'GB',
      corresponding: true,
    });
    for (const [kind, name] of [
      ['manuscript', 'case-series.pdf'],
      ['anonymised', 'case-series-anonymised.pdf'],
    ] as const) {
      const pdf = demoPdfBytes(kind === 'manuscript' ? 'Case series (demo manuscript)' : 'Case series (anonymised)');
      const storedName = await storePdf(uploadDir, pdf);
      if (!storedName) continue;
      await tx.insert(journalFiles).values({
        id: newId(),
        submissionId,
        kind,
        round: 0,
        storedName,
        originalName: name,
        mimeType: 'application/pdf',
        sizeBytes: pdf.length,
        uploadedBy: member.id,
        uploadedAt: at(13),
      });
    }
    await tx.insert(journalEvents).values([
      {
        id: newId(),
        submissionId,
        at: at(13),
        actorId: member.id,
        kind: 'submitted',
        message: 'Submitted.',
        authorVisible: true,
      },
      {
        id: newId(),
        submissionId,
        at: at(10),
        actorId: editor.id,
        kind: 'decision:send-to-review',
        message: 'Your manuscript has passed the editorial check and has been sent for double-anonymous peer review.',
        authorVisible: true,
      },
    ]);
    await tx.insert(journalReviews).values({
      id: newId(),
      submissionId,
      round: 1,
      reviewerId: reviewer.id,
      invitedBy: editor.id,
      status: 'accepted',
      invitedAt: at(10),
      dueAt: now + 14 * DAY_MS,
      respondedAt: at(9),
      commentsToAuthors: '',
      commentsToEditor: '',
    });
  });
  // The translation's PDF, with the Chinese title and abstract in an embedded CJK font.
  if (uploadDir && translationArticleId) await storeArticlePdf(db, uploadDir, translationArticleId);
  return true;
}
