import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import type { APIRoute } from 'astro';
import { createAstroContext } from '#src/server/api/context.ts';
import { appRouter } from '#src/server/api/root.ts';

export const prerender = false;

/**
 * The most calls one HTTP request may batch. The portal's own client sends one call per request (httpLink);
 * without a limit one request could queue hundreds of calls (400 `account.me` were answered in a probe).
 */
export const MAX_BATCH_SIZE = 10;

export const ALL: APIRoute = (context) =>
  fetchRequestHandler({
    endpoint: '/api/trpc',
    req: context.request,
    router: appRouter,
    maxBatchSize: MAX_BATCH_SIZE,
    createContext: () => createAstroContext(context),
    // Internal errors reach the client as a generic message (the error formatter); the details go to the log.
    onError({ error, path }) {
      if (error.code === 'INTERNAL_SERVER_ERROR') console.error(`tRPC ${path ?? '?'} failed:`, error.cause ?? error);
    },
  });
