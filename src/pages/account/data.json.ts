import type { APIRoute } from 'astro';
import { getCaller } from '#src/server/api/context.ts';
import { signedInUser } from '#src/server/page-guards.ts';

export const prerender = false;

/** The signed-in member's personal data as a JSON download (see services/personal-data.ts). */
export const GET: APIRoute = async (context) => {
  const { locals, url, redirect } = context;
  if (!signedInUser(locals)) {
    return redirect(`/sign-in?next=${encodeURIComponent(url.pathname)}`, 303);
  }
  const data = await (await getCaller(context)).personalData.export();
  const day = data.exportedAt.slice(0, 10);
  return new Response(JSON.stringify(data, null, 2), {
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Disposition': `attachment; filename="iecpa-my-data-${day}.json"`,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'private, no-store',
    },
  });
};
