import { describe, expect, it } from 'vitest';
import { ATOM_NS, atomFeed } from '#src/lib/journal-metadata/feed.ts';
import {
  articleWith,
  hostileArticle,
  illegalXmlChars,
  JOURNAL,
  ORIGINAL_RESEARCH,
  TRANSLATION,
} from '#test/helpers/journal-fixtures.ts';
import { child, childrenNamed, descendants, nth, parseXml, textContent } from '#test/helpers/xml-structure.ts';
import { XSS_PAYLOADS } from '#test/helpers/xss-corpus.ts';

const OPTIONS = {
  selfUrl: 'https://portal.iecpa.example/journal/feed.xml',
  pageUrl: 'https://portal.iecpa.example/journal',
};
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

describe('Atom feed (RFC 4287)', () => {
  it('has the feed-level elements RFC 4287 section 4.1.1 requires, once each', () => {
    const feed = parseXml(atomFeed([TRANSLATION, ORIGINAL_RESEARCH], JOURNAL, OPTIONS));
    expect(feed.name).toBe('feed');
    expect(feed.attrs.xmlns).toBe(ATOM_NS);
    expect(child(feed, 'id').text).toBe(OPTIONS.selfUrl);
    expect(child(feed, 'title').text).toBe(JOURNAL.title);
    expect(child(feed, 'updated').text).toMatch(RFC3339);
    // The newest change among the entries: the translation, published 2026-04-02.
    expect(child(feed, 'updated').text).toBe('2026-04-02T08:00:00Z');
    expect(textContent(child(child(feed, 'author'), 'name'))).toBe(JOURNAL.publisher);
    const links = childrenNamed(feed, 'link');
    expect(links.filter((l) => l.attrs.rel === 'self').map((l) => l.attrs.href)).toEqual([OPTIONS.selfUrl]);
    expect(links.filter((l) => l.attrs.rel === 'alternate')).toHaveLength(1);
  });

  it('gives each entry an id, title, updated, alternate link and summary', () => {
    const feed = parseXml(atomFeed([TRANSLATION, ORIGINAL_RESEARCH], JOURNAL, OPTIONS));
    const entries = childrenNamed(feed, 'entry');
    expect(entries).toHaveLength(2);
    expect(child(nth(entries, 0), 'id').text).toBe('https://doi.org/10.5555/iecpa.2026.0002');
    expect(child(nth(entries, 1), 'id').text).toBe('https://doi.org/10.5555/iecpa.2026.0001');
    for (const entry of entries) {
      expect(child(entry, 'title').text).not.toBe('');
      expect(child(entry, 'updated').text).toMatch(RFC3339);
      expect(child(entry, 'published').text).toMatch(RFC3339);
      const alternate = childrenNamed(entry, 'link').filter((l) => l.attrs.rel === 'alternate');
      expect(alternate).toHaveLength(1);
      expect(child(entry, 'summary').text).toMatch(/^Background: /);
      expect(childrenNamed(entry, 'author').length).toBeGreaterThan(0);
      // Without a content element, RFC 4287 section 4.1.2 requires an alternate link (present) and summary.
      expect(childrenNamed(entry, 'content')).toHaveLength(0);
    }
    expect(childrenNamed(nth(entries, 1), 'author').map((a) => textContent(child(a, 'name')))).toEqual([
      'Josiah Carberry',
      'Wei Li',
      'Olga Petrovna Ivanova',
    ]);
  });

  it('marks retracted articles and is valid when empty', () => {
    const feed = parseXml(atomFeed([articleWith(ORIGINAL_RESEARCH, { retracted: true })], JOURNAL, OPTIONS));
    expect(child(child(feed, 'entry'), 'title').text).toMatch(/^Retracted: /);
    const empty = parseXml(atomFeed([], JOURNAL, { ...OPTIONS, emptyUpdatedAt: Date.UTC(2026, 0, 1) }));
    expect(child(empty, 'updated').text).toBe('2026-01-01T00:00:00Z');
    expect(childrenNamed(empty, 'entry')).toHaveLength(0);
  });

  it('escapes hostile text: it stays character data, with no illegal characters', () => {
    for (const payload of XSS_PAYLOADS) {
      const xml = atomFeed([hostileArticle(payload)], JOURNAL, OPTIONS);
      expect(illegalXmlChars(xml)).toEqual([]);
      const feed = parseXml(xml);
      const names = new Set(descendants(feed).map((e) => e.name));
      for (const name of names) {
        expect([
          'feed',
          'id',
          'title',
          'subtitle',
          'updated',
          'author',
          'name',
          'uri',
          'link',
          'generator',
          'rights',
          'entry',
          'published',
          'category',
          'summary',
        ]).toContain(name);
      }
      expect(child(child(feed, 'entry'), 'title').text).toContain(payload.replace(/\s+/g, ' ').trim());
    }
  });
});
