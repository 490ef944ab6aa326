import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import type { APIRoute } from 'astro';
import { createAstroContext } from '#src/server/api/context.ts';
import { appRouter } from '#src/server/api/root.ts';

export const prerender = false;

export const ALL: APIRoute = (context) =>
  fetchRequestHandler({
    endpoint: '/api/trpc',
    req: context.request,
    router: appRouter,
    createContext: () => createAstroContext(context),
    // Internal errors reach the client as a generic message (the error formatter); the details go to the log.
    onError({ error, path }) {
      if (error.code === 'INTERNAL_SERVER_ERROR') console.error(`tRPC ${path ?? '?'} failed:`, error.cause ?? error);
    },
  });
