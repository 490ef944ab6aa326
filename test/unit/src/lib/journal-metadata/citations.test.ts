import { beforeAll, describe, expect, it } from 'vitest';
import {
  bibtexKey,
  escapeBibtex,
  formatCitation,
  toBibtex,
  toRis,
  warmCitationStyles,
} from '#src/lib/journal-metadata/citations.ts';
import {
  articleWith,
  controlChars,
  hostileArticle,
  JOURNAL,
  ORIGINAL_RESEARCH,
  TRANSLATION,
} from '#test/helpers/journal-fixtures.ts';
import { XSS_PAYLOADS } from '#test/helpers/xss-corpus.ts';

describe('Vancouver and APA through citation-js', () => {
  // citeproc compiles each style and the locale on first use (about 1-2 s on a busy machine), once per process.
  beforeAll(() => warmCitationStyles(JOURNAL), 60_000);

  it('formats each article version once, and again after an edit', () => {
    const first = formatCitation(TRANSLATION, JOURNAL, 'vancouver');
    expect(formatCitation(TRANSLATION, JOURNAL, 'vancouver')).toBe(first);
    const edited = articleWith(TRANSLATION, { title: 'A corrected title', updatedAt: TRANSLATION.updatedAt + 1 });
    expect(formatCitation(edited, JOURNAL, 'vancouver')).toContain('A corrected title.');
    expect(formatCitation(TRANSLATION, JOURNAL, 'vancouver')).toBe(first);
  });

  it('formats a known article in Vancouver exactly as NLM/ICMJE write it', () => {
    // Hand-written from Citing Medicine (2nd ed.), chapter 1 (journals): authors as surname and initials
    // without stops, title, abbreviated journal, date;volume(issue):location, then the DOI.
    expect(formatCitation(ORIGINAL_RESEARCH, JOURNAL, 'vancouver')).toBe(
      'Carberry J, Li W, Ivanova OP. Enhanced external counterpulsation after percutaneous coronary intervention: ' +
        'a randomised trial. J Int Ext Counterpulsation Assoc. 2026 Mar 16;1(1):e2026001. doi:10.5555/iecpa.2026.0001',
    );
  });

  it('formats the same article in APA 7 with "Article" and the DOI as a URL', () => {
    expect(formatCitation(ORIGINAL_RESEARCH, JOURNAL, 'apa')).toBe(
      'Carberry, J., Li, W., & Ivanova, O. P. (2026). Enhanced external counterpulsation after percutaneous ' +
        'coronary intervention: a randomised trial. Journal of the International External Counterpulsation ' +
        'Association, 1(1), Article e2026001. https://doi.org/10.5555/iecpa.2026.0001',
    );
  });

  it('cites an article published continuously (no issue) by its article number', () => {
    expect(formatCitation(TRANSLATION, JOURNAL, 'vancouver')).toBe(
      'Zhang X. Enhanced external counterpulsation in elderly patients with chronic heart failure. ' +
        'J Int Ext Counterpulsation Assoc. 2026 Apr 2;e2026002. doi:10.5555/iecpa.2026.0002',
    );
    expect(formatCitation(TRANSLATION, JOURNAL, 'apa')).toContain('(A. Smith, Trans.)');
  });

  it('returns one line of plain text for hostile titles (the page escapes it)', () => {
    for (const [i, payload] of XSS_PAYLOADS.slice(0, 8).entries()) {
      const text = formatCitation({ ...hostileArticle(payload), id: `hostile${i}` }, JOURNAL, 'vancouver');
      expect(controlChars(text)).toEqual([]);
      expect(text).toContain('doi:10.5555/iecpa.2026.0001');
      expect(text).toContain(' & ');
    }
  });
});

describe('BibTeX', () => {
  it('writes an @article entry with the fields reference managers read', () => {
    const bib = toBibtex(ORIGINAL_RESEARCH, JOURNAL);
    expect(bib.startsWith('@article{carberry2026a20260001,\n')).toBe(true);
    expect(bib).toContain('  author = {Carberry, Josiah and Li, Wei and Ivanova, Olga Petrovna},\n');
    expect(bib).toContain(`  title = {{${ORIGINAL_RESEARCH.title}}},\n`);
    expect(bib).toContain('  volume = {1},\n  number = {1},\n');
    expect(bib).toContain('  doi = {10.5555/iecpa.2026.0001},\n');
    expect(bib).toContain('  pages = {e2026001},\n');
    expect(bib.endsWith('}\n')).toBe(true);
    expect(toBibtex(TRANSLATION, JOURNAL)).toContain('  translator = {Smith, Anna}');
    expect(toBibtex(TRANSLATION, JOURNAL)).not.toContain('volume');
  });

  it('escapes TeX specials so braces balance and nothing runs as a command', () => {
    expect(escapeBibtex('50% of {a} & b_c #1 $x$ ^ ~ \\input{x}')).toBe(
      '50\\% of \\{a\\} \\& b\\_c \\#1 \\$x\\$ \\textasciicircum{} \\textasciitilde{} \\textbackslash{}input\\{x\\}',
    );
    for (const payload of [...XSS_PAYLOADS, '}\n@misc{evil, title={x}', '\\}{\\']) {
      const bib = toBibtex(hostileArticle(payload), JOURNAL);
      // Unescaped braces balance at every point and close exactly at the end of the entry.
      let depth = 0;
      const unescaped = bib.replace(/\\[{}]/g, '');
      for (const c of unescaped) {
        if (c === '{') depth++;
        if (c === '}') depth--;
        expect(depth).toBeGreaterThanOrEqual(0);
      }
      expect(depth).toBe(0);
      expect(bib.match(/^@/gm)?.length).toBe(1);
      expect(controlChars(bib.replaceAll('\n', ''))).toEqual([]);
    }
  });

  it('makes an ASCII key even for non-Latin surnames', () => {
    expect(bibtexKey(articleWith(TRANSLATION, { authors: [{ givenNames: '晓明', surname: '张' }] }))).toBe(
      'anon2026a20260002',
    );
    expect(bibtexKey(articleWith(TRANSLATION, { authors: [{ givenNames: 'É', surname: 'Éluard-Müller' }] }))).toBe(
      'eluardmuller2026a20260002',
    );
  });
});

describe('RIS', () => {
  it('writes TY first, ER last, one tag per CRLF line', () => {
    const ris = toRis(ORIGINAL_RESEARCH, JOURNAL);
    const lines = ris.split('\r\n');
    expect(lines[0]).toBe('TY  - JOUR');
    expect(lines.at(-2)).toBe('ER  - ');
    expect(lines.at(-1)).toBe('');
    expect(lines.filter((l) => l.startsWith('AU  - '))).toEqual([
      'AU  - Carberry, Josiah',
      'AU  - Li, Wei',
      'AU  - Ivanova, Olga Petrovna',
    ]);
    for (const expected of [
      'PY  - 2026',
      'DA  - 2026/03/16',
      'VL  - 1',
      'IS  - 1',
      'SP  - e2026001',
      'DO  - 10.5555/iecpa.2026.0001',
      'SN  - 2999-0005',
    ]) {
      expect(lines).toContain(expected);
    }
    expect(lines.filter((l) => l.startsWith('KW  - '))).toHaveLength(3);
    expect(toRis(TRANSLATION, JOURNAL)).toContain('A4  - Smith, Anna\r\n');
  });

  it('keeps hostile values on their own line', () => {
    for (const payload of [...XSS_PAYLOADS, 'x\r\nER  - \r\nTY  - JOUR']) {
      const lines = toRis(hostileArticle(payload), JOURNAL).split('\r\n').slice(0, -1);
      for (const line of lines) expect(line).toMatch(/^[A-Z][A-Z0-9] {2}- /);
      expect(lines.filter((l) => l.startsWith('TY  - '))).toHaveLength(1);
      expect(lines.filter((l) => l.startsWith('ER  - '))).toHaveLength(1);
      expect(controlChars(lines.join(''))).toEqual([]);
    }
  });
});
