import { createReadStream, readdirSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.webmanifest': 'application/manifest+json',
  '.pdf': 'application/pdf',
};

interface StaticFile {
  path: string;
  type: string;
  size: number;
  immutable: boolean;
}

/** Every servable file under `root`, keyed by the URL paths that reach it (`/a/index.html`, `/a/`, `/a`). */
function indexFiles(root: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const walk = (dir: string, urlPrefix: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      const url = `${urlPrefix}/${entry.name}`;
      if (entry.isDirectory()) {
        walk(full, url);
        continue;
      }
      const type = CONTENT_TYPES[extname(entry.name).toLowerCase()];
      if (!entry.isFile() || !type) continue;
      const file = { path: full, type, size: statSync(full).size, immutable: url.startsWith('/_astro/') };
      files.set(url, file);
      if (entry.name === 'index.html') {
        files.set(`${urlPrefix}/`, file);
        if (urlPrefix) files.set(urlPrefix, file);
      } else if (entry.name.endsWith('.html')) {
        files.set(url.slice(0, -'.html'.length), file);
      }
    }
  };
  walk(root, '');
  return files;
}

export type StaticFileServer = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * Serves Astro's client build (hashed assets and prerendered pages) for GET and HEAD. The folder is
 * listed once at start (the build does not change while the server runs), so a request for anything else
 * costs one map lookup and never touches the disk; a path cannot escape the folder because only listed
 * files are served. Returns false when the request is not for a file there, so the app handles it.
 */
export function createStaticFileServer(root: string): StaticFileServer {
  const files = indexFiles(root);
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
    let pathname: string;
    try {
      pathname = decodeURIComponent(rawPath);
    } catch {
      return false;
    }
    const file = files.get(pathname);
    if (!file) return false;
    res.statusCode = 200;
    res.setHeader('Content-Type', file.type);
    res.setHeader('Content-Length', file.size);
    // Vite's hashed assets never change; pages must be revalidated.
    res.setHeader('Cache-Control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    if (req.method === 'HEAD') res.end();
    else createReadStream(file.path).pipe(res);
    return true;
  };
}
