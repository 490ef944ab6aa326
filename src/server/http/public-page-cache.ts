/**
 * Rendered public pages kept in memory, for visitors who are not signed in: the registry, the journal's
 * articles, the home page — whatever a page marks `public` (BaseLayout's `publicCacheSeconds`, or an
 * endpoint's own Cache-Control). Rendering such a page cost three to four times what the server's floor
 * (`/api/health`) costs (`npm run bench:registry`, `npm run bench:journal`); a stored copy costs less than it.
 *
 * A copy is served only while nothing has been committed to the database since it was rendered, by this
 * process or any other (db/client.ts `dataGeneration`), and for at most MAX_AGE_MS, for what changes with
 * the clock alone (a credential that expires at midnight). So a visitor never sees an older page than a
 * render would give, except across such a moment, by at most MAX_AGE_MS. Only GETs without a session are
 * served or stored, and only 200 responses without Set-Cookie; memory is bounded by entries and bytes
 * (least recently used first out), so requests for endless distinct query strings only evict.
 */
import { isPublicResponse } from './cache-control.ts';

/** The longest a copy is served without a render, for what changes with the clock alone. */
export const MAX_AGE_MS = 10_000;
const MAX_ENTRIES = 500;
const MAX_TOTAL_BYTES = 16 * 1024 * 1024;
/** Larger pages are not kept (none of ours comes near it). */
const MAX_ENTRY_BYTES = 512 * 1024;

interface StoredPage {
  generation: number;
  storedAt: number;
  body: Uint8Array<ArrayBuffer>;
  headers: [string, string][];
  etag: string | null;
}

export interface PublicPageCache {
  /** The stored answer for this request, or null (then render, and offer the response to `store`). */
  lookup(key: string, generation: number, ifNoneMatch: string | null, now?: number): Response | null;
  /** Keeps a copy of the response when it may be kept; returns the response to send (the body is read). */
  store(key: string, generation: number, response: Response, now?: number): Promise<Response>;
  /** Entries and bytes held, for tests and the metrics. */
  size(): { entries: number; bytes: number };
}

export function createPublicPageCache(): PublicPageCache {
  const pages = new Map<string, StoredPage>();
  let bytes = 0;

  const remove = (key: string): void => {
    const page = pages.get(key);
    if (!page) return;
    pages.delete(key);
    bytes -= page.body.byteLength;
  };

  return {
    lookup(key, generation, ifNoneMatch, now = Date.now()) {
      const page = pages.get(key);
      if (!page) return null;
      if (page.generation !== generation || now - page.storedAt > MAX_AGE_MS) {
        remove(key);
        return null;
      }
      // Most recently used last: the first entries are the ones to drop.
      pages.delete(key);
      pages.set(key, page);
      // Age (RFC 9111, 5.1) tells caches and tests that this is a stored copy, and how old.
      const age: [string, string] = ['Age', String(Math.floor((now - page.storedAt) / 1000))];
      if (page.etag !== null && ifNoneMatch === page.etag) {
        const headers = page.headers.filter(([name]) => !/^content-(type|length)$/i.test(name));
        return new Response(null, { status: 304, headers: [...headers, age] });
      }
      return new Response(page.body, { status: 200, headers: [...page.headers, age] });
    },

    async store(key, generation, response, now = Date.now()) {
      if (response.status !== 200 || !isPublicResponse(response) || response.headers.has('Set-Cookie')) {
        return response;
      }
      const declared = Number(response.headers.get('Content-Length') ?? '0');
      if (declared > MAX_ENTRY_BYTES || !response.body) return response;
      const body = new Uint8Array(await response.arrayBuffer());
      const answer = new Response(body, { status: 200, statusText: response.statusText, headers: response.headers });
      if (body.byteLength > MAX_ENTRY_BYTES) return answer;
      remove(key);
      const headers = [...response.headers].filter(([name]) => name.toLowerCase() !== 'x-request-id');
      pages.set(key, { generation, storedAt: now, body, headers, etag: response.headers.get('ETag') });
      bytes += body.byteLength;
      for (const oldest of pages.keys()) {
        if (pages.size <= MAX_ENTRIES && bytes <= MAX_TOTAL_BYTES) break;
        remove(oldest);
      }
      return answer;
    },

    size: () => ({ entries: pages.size, bytes }),
  };
}
