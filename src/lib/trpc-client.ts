import { createTRPCClient, httpLink } from '@trpc/client';
import type { AppRouter } from '#src/server/api/root.ts';

/**
 * The typed client islands use to call the same procedures pages call in-process. Only the router's
 * type crosses into the browser bundle. The browser sends the session cookie and the Origin header the
 * middleware checks.
 */
export const api = createTRPCClient<AppRouter>({
  links: [httpLink({ url: '/api/trpc' })],
});
