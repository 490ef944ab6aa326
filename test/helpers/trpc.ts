import { TRPCError } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import type { Db } from '#db/client.ts';
import { appRouter } from '#src/server/api/root.ts';
import type { Context } from '#src/server/api/trpc.ts';
import { recordCookies, TEST_META, testDeps } from './factories.ts';

/** What a call ended with: 'OK', or the tRPC error code it was refused with. */
export async function outcomeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'OK';
  } catch (error) {
    if (error instanceof TRPCError) return error.code;
    throw error;
  }
}

/** The TRPCError a call was refused with; fails when the call succeeds or throws something else. */
export async function trpcErrorOf(call: Promise<unknown>): Promise<TRPCError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TRPCError) return error;
    throw error;
  }
  throw new Error('expected the call to be refused, but it succeeded');
}

/** A context for an anonymous visitor, for calls made over HTTP. */
export function anonymousContext(db: Db): Context {
  return { db, deps: testDeps(), user: null, session: null, meta: TEST_META, cookies: recordCookies() };
}

/** The JSON error body /api/trpc sends, after the app's error formatter. */
export interface HttpErrorBody {
  message: string;
  code: number;
  data: { code: string; httpStatus: number; path: string; fieldErrors: Record<string, string> | null };
}

export interface HttpResult {
  status: number;
  body: { result?: { data: unknown }; error?: HttpErrorBody };
}

/**
 * Calls a procedure the way the browser does (the fetch adapter that serves /api/trpc), so that the
 * response carries the formatted error shape, field errors included. Queries go as GET, mutations as POST.
 */
export async function callOverHttp(
  ctx: Context,
  path: string,
  input: unknown,
  kind: 'query' | 'mutation' = 'mutation',
): Promise<HttpResult> {
  const base = `http://portal.test/api/trpc/${path}`;
  const req =
    kind === 'query'
      ? new Request(input === undefined ? base : `${base}?input=${encodeURIComponent(JSON.stringify(input))}`, {
          method: 'GET',
        })
      : new Request(base, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(input),
        });
  const res = await fetchRequestHandler({
    endpoint: '/api/trpc',
    req,
    router: appRouter,
    createContext: () => ctx,
  });
  return { status: res.status, body: (await res.json()) as HttpResult['body'] };
}
