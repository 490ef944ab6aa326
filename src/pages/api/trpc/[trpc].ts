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
  });
