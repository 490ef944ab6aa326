import type { AstroCookies } from 'astro';
import { sessionCookieName, sessionCookieOptions } from '../auth/session.ts';
import { getDb } from '../db.ts';
import { getDeps } from '../deps.ts';
import { getEnv } from '../env.ts';
import type { RequestMeta } from '../services/deps.ts';
import { createCaller } from './root.ts';
import type { Context, SessionCookieJar } from './trpc.ts';

/** The parts of an Astro page or endpoint context that the API needs. */
export interface AstroRequestContext {
  locals: App.Locals;
  cookies: AstroCookies;
  request: Request;
  clientAddress: string;
}

export function requestMeta(astro: Pick<AstroRequestContext, 'request' | 'clientAddress'>): RequestMeta {
  return {
    ipAddress: astro.clientAddress,
    userAgent: astro.request.headers.get('user-agent') ?? '',
  };
}

export function sessionCookieJar(cookies: AstroCookies): SessionCookieJar {
  const production = getEnv().NODE_ENV === 'production';
  const name = sessionCookieName(production);
  return {
    set: (token) => cookies.set(name, token, sessionCookieOptions(production)),
    clear: () => cookies.delete(name, { path: '/' }),
  };
}

export async function createAstroContext(astro: AstroRequestContext): Promise<Context> {
  const { db } = await getDb();
  return {
    db,
    deps: getDeps(),
    user: astro.locals.user ?? null,
    session: astro.locals.session ?? null,
    meta: requestMeta(astro),
    cookies: sessionCookieJar(astro.cookies),
  };
}

/** The server-side caller pages use: the same procedures as /api/trpc, in-process. */
export async function getCaller(astro: AstroRequestContext): Promise<ReturnType<typeof createCaller>> {
  return createCaller(await createAstroContext(astro));
}
