/**
 * Fixture articles for the journal's metadata formats: an English original research article with three
 * authors, ORCID iDs and a structured abstract, in an issue; and an English translation of a Chinese article
 * with the original's title and abstract in Chinese. The ORCID iDs are the public test iDs (their check
 * digits are valid under ISO 7064 11,2).
 */
import type { ArticleMetadata, JournalInfo } from '#src/lib/journal-metadata/types.ts';

export const JOURNAL: JournalInfo = {
  title: 'Journal of the International External Counterpulsation Association',
  abbreviation: 'J Int Ext Counterpulsation Assoc',
  publisher: 'International External Counterpulsation Association',
  issn: '2999-0005',
  doiPrefix: '10.5555',
  origin: 'https://portal.iecpa.example',
};

export const ORIGINAL_RESEARCH: ArticleMetadata = {
  id: 'a2026-0001',
  doi: '10.5555/iecpa.2026.0001',
  url: 'https://portal.iecpa.example/journal/articles/a2026-0001',
  pdfUrl: 'https://portal.iecpa.example/journal/articles/a2026-0001.pdf',
  type: 'original-research',
  title: 'Enhanced external counterpulsation after percutaneous coronary intervention: a randomised trial',
  language: 'en',
  abstract: {
    background: 'Angina persists in a quarter of patients after PCI.',
    methods: 'We randomised 120 patients to 35 one-hour sessions of EECP or usual care.',
    results: 'Angina class improved by at least one grade in 68% with EECP and 31% with usual care (p < 0.001).',
    conclusions: 'EECP after PCI reduced angina at 12 weeks.',
  },
  keywords: ['enhanced external counterpulsation', 'angina pectoris', 'percutaneous coronary intervention'],
  authors: [
    {
      givenNames: 'Josiah',
      surname: 'Carberry',
      orcid: '0000-0002-1825-0097',
      affiliation: 'Department of Cardiology, Brown University, Providence',
      country: 'US',
    },
    {
      givenNames: 'Wei',
      surname: 'Li',
      orcid: '0000-0001-5109-3700',
      affiliation: 'Sun Yat-sen University, Guangzhou',
      country: 'CN',
    },
    {
      givenNames: 'Olga Petrovna',
      surname: 'Ivanova',
      orcid: '0000-0002-1694-233X',
      affiliation: 'Almazov National Medical Research Centre, Saint Petersburg',
      country: 'RU',
    },
  ],
  translators: [],
  receivedOn: '2026-01-12',
  revisedOn: '2026-02-20',
  acceptedOn: '2026-03-02',
  publishedOn: '2026-03-16',
  updatedAt: Date.UTC(2026, 2, 16, 9, 30, 15),
  articleNumber: 'e2026001',
  issue: { volume: 1, number: 1, year: 2026 },
  licenceUrl: 'https://creativecommons.org/licenses/by/4.0/',
  competingInterests: 'WL received speaker fees from a manufacturer of EECP devices.',
  funding: 'IECPA research grant 2025-03.',
  references: [
    'Arora RR, Chou TM, Jain D, et al. The multicenter study of enhanced external counterpulsation (MUST-EECP). J Am Coll Cardiol. 1999;33(7):1833-40.',
    'Braith RW, Conti CR, Nichols WW, et al. Enhanced external counterpulsation improves peripheral artery flow-mediated dilation. Circulation. 2010;122(16):1612-20.',
  ],
  translationDois: ['10.5555/iecpa.2026.0003'],
  retracted: false,
  notices: [],
};

export const TRANSLATION: ArticleMetadata = {
  id: 'a2026-0002',
  doi: '10.5555/iecpa.2026.0002',
  url: 'https://portal.iecpa.example/journal/articles/a2026-0002',
  pdfUrl: 'https://portal.iecpa.example/journal/articles/a2026-0002.pdf',
  type: 'translation',
  title: 'Enhanced external counterpulsation in elderly patients with chronic heart failure',
  language: 'en',
  abstract: {
    background: 'Evidence in elderly patients is scarce.',
    methods: 'A retrospective case series of 46 patients aged 75 or over.',
    results: 'The six-minute walk distance rose by 52 m on average.',
    conclusions: 'EECP was well tolerated in elderly patients.',
  },
  keywords: ['enhanced external counterpulsation', 'heart failure', 'elderly'],
  authors: [
    { givenNames: 'Xiaoming', surname: 'Zhang', affiliation: 'First Affiliated Hospital, Guangzhou', country: 'CN' },
  ],
  translators: [
    { givenNames: 'Anna', surname: 'Smith', orcid: '0000-0002-1825-0097', affiliation: 'IECPA', country: 'GB' },
  ],
  receivedOn: '2026-02-01',
  acceptedOn: '2026-03-10',
  publishedOn: '2026-04-02',
  updatedAt: Date.UTC(2026, 3, 2, 8, 0, 0),
  articleNumber: 'e2026002',
  licenceUrl: 'https://creativecommons.org/licenses/by/4.0/',
  competingInterests: 'None declared.',
  funding: 'None.',
  references: ['Zhang X. 增强型体外反搏治疗老年慢性心力衰竭. 中华心血管病杂志. 2024;52(3):201-6.'],
  original: {
    title: { text: '增强型体外反搏治疗老年慢性心力衰竭', language: 'zh' },
    abstract: { text: '背景：老年患者的证据很少。方法：46例回顾性病例系列。', language: 'zh' },
    citation: 'Zhang X. 增强型体外反搏治疗老年慢性心力衰竭. 中华心血管病杂志. 2024;52(3):201-6.',
    doi: '10.5555/cjc.2024.0301',
    url: 'https://example.cn/cjc/2024/0301',
  },
  translationDois: [],
  retracted: false,
  notices: [],
};

/** A copy of an article with some fields replaced. */
export function articleWith(base: ArticleMetadata, changes: Partial<ArticleMetadata>): ArticleMetadata {
  return { ...structuredClone(base), ...changes };
}

/** Text fields filled with a hostile string (XSS payload, XML metacharacters, illegal control characters). */
export function hostileArticle(payload: string): ArticleMetadata {
  const hostile = `${payload} & "q" 'a' <b> \u0000\u0001\u000b\u001f\uFFFE\uD800 ]]>`;
  return articleWith(ORIGINAL_RESEARCH, {
    title: hostile,
    abstract: { background: hostile, methods: hostile, results: hostile, conclusions: hostile },
    keywords: [hostile, 'ok'],
    authors: ORIGINAL_RESEARCH.authors.map((a) => ({
      ...a,
      givenNames: hostile,
      surname: hostile,
      affiliation: hostile,
    })),
    translators: [{ givenNames: hostile, surname: hostile, affiliation: hostile }],
    competingInterests: hostile,
    funding: hostile,
    references: [hostile],
    original: {
      title: { text: hostile, language: 'zh' },
      abstract: { text: hostile, language: 'zh' },
      citation: hostile,
    },
  });
}

/**
 * Code points in the text that XML 1.0 forbids (section 2.2: only tab, line feed, carriage return and
 * U+0020 upwards, without surrogates, U+FFFE and U+FFFF). Counted by code point, so a well-formed surrogate
 * pair passes and a lone surrogate does not.
 */
export function illegalXmlChars(text: string, options: { allowLineBreaks?: boolean } = {}): number[] {
  const found: number[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    const lineBreak = cp === 0x9 || cp === 0xa || cp === 0xd;
    const illegal =
      (cp < 0x20 && !(lineBreak && options.allowLineBreaks !== false)) ||
      (cp >= 0xd800 && cp <= 0xdfff) ||
      cp === 0xfffe ||
      cp === 0xffff;
    if (illegal) found.push(cp);
  }
  return found;
}

/** Control characters, line breaks included (for one-line values). */
export const controlChars = (text: string): number[] => illegalXmlChars(text, { allowLineBreaks: false });
