// @ts-check
import node from '@astrojs/node';
import preact from '@astrojs/preact';
import { defineConfig } from 'astro/config';

export default defineConfig({
  site: process.env.SITE_URL ?? 'http://localhost:4321',
  output: 'server',
  // 'middleware' mode: scripts/serve.ts wraps Astro's handler in a Node server that first migrates the
  // database and adds the security headers to every response, static files included.
  // Pages are rendered whole, then sent in one write: ours are small, and streaming one in many small chunks
  // cost more than it saved (each chunk its own socket write: about 13 % of the server's CPU under load).
  adapter: node({ mode: 'middleware', experimentalDisableStreaming: true }),
  // Test runs build into their own folder (IECPA_DIST_DIR) so that concurrent runs do not collide.
  outDir: process.env.IECPA_DIST_DIR ?? './dist',
  integrations: [preact()],
  // Stylesheets as files, not inline: Astro would otherwise hash every inline style for the CSP on each request.
  build: { inlineStylesheets: 'never' },
  // Shiki's inline styles would break the CSP; the site shows no highlighted code.
  markdown: { syntaxHighlight: false },
  security: {
    // The origin check for every non-GET request (tRPC included) lives in src/middleware.ts.
    checkOrigin: false,
    // Astro hashes its own scripts and styles into script-src/style-src; these directives are added. Prerendered
    // pages carry them in a <meta>, where browsers ignore frame-ancestors and log an error: that directive is
    // added to headers only (src/server/http/security-headers.ts).
    csp: {
      directives: [
        "default-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
      ],
    },
  },
  server: { host: process.env.HOST ?? 'localhost', port: Number(process.env.PORT ?? 4321) },
});
