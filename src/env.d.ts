/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    /** The signed-in user for this request, validated once by the middleware; null when signed out. */
    user: import('./server/auth/session.ts').SessionUser | null;
    session: import('./server/auth/session.ts').Session | null;
    /** This request's id (logged, sent as X-Request-Id, shown on error pages); unset for prerendered pages. */
    requestId?: string;
    /** Set by a page that refuses its request (page-refusal.ts); the refusal page shows it. */
    pageRefusal?: import('./server/page-refusal.ts').PageRefusal;
  }
}
