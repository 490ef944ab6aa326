import type { AddressInfo } from 'node:net';
import { createServer, type Socket } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { mailOutbox, users } from '#db/schema/index.ts';
import { createMailer } from '#src/server/mail/mailer.ts';
import type { ServiceDeps } from '#src/server/services/deps.ts';
import { useTestDb } from '#test/helpers/db.ts';
import { anonymousCaller, linkFrom, recordCookies, uniqueMeta } from '#test/helpers/factories.ts';
import { headerOf, type SmtpSink, startSmtpSink, textBodyOf } from '#test/helpers/smtp-sink.ts';

const handle = useTestDb();
let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(async () => {
  await sink.stop();
});

function depsFor(smtpUrl: string, timeoutMs?: number): ServiceDeps {
  return {
    mailer: createMailer({ smtpUrl, from: 'IECPA <no-reply@iecpa.test>', timeoutMs }),
    siteUrl: 'http://portal.test',
  };
}

function registration(email: string) {
  return {
    name: 'Zoë Smtp-Tester',
    email,
    password: 'a long enough passphrase',
    country: 'NL',
    profession: 'perfusionist' as const,
    acceptEthics: true as const,
  };
}

async function outboxRowsTo(email: string) {
  return handle.db.select().from(mailOutbox).where(eq(mailOutbox.toAddress, email));
}

test('delivers the verification mail over SMTP with a working link and marks it sent', async () => {
  const email = 'smtp.delivery@example.org';
  const deps = depsFor(sink.url);
  const anon = anonymousCaller(handle.db, deps, recordCookies(), uniqueMeta());
  await anon.account.register(registration(email));
  await deps.mailer.idle();

  const mail = sink.received.find((m) => m.to.includes(email));
  expect(mail?.from).toBe('no-reply@iecpa.test');
  expect(headerOf(mail?.raw ?? '', 'Subject')).toBe('Confirm your email address for IECPA');
  expect(headerOf(mail?.raw ?? '', 'To')).toBe(email);
  const body = textBodyOf(mail?.raw ?? '');
  expect(body).toContain('Dear Zoë Smtp-Tester,');
  const link = linkFrom(body, '/verify-email');
  expect(link.origin).toBe('http://portal.test');

  const rows = await outboxRowsTo(email);
  expect(rows.map((r) => [r.status, r.error])).toEqual([['sent', null]]);
  await expect(anon.account.verifyEmail({ token: link.searchParams.get('token') ?? '' })).resolves.toEqual({
    ok: true,
  });
});

test('records a failed delivery and still registers when the SMTP server is down', async () => {
  const down = await startSmtpSink();
  const downUrl = down.url;
  await down.stop();
  const email = 'smtp.down@example.org';
  const deps = depsFor(downUrl);
  const anon = anonymousCaller(handle.db, deps, recordCookies(), uniqueMeta());
  await expect(anon.account.register(registration(email))).resolves.toEqual({ ok: true });
  await deps.mailer.idle();
  const rows = await outboxRowsTo(email);
  expect(rows).toHaveLength(1);
  expect(rows[0]?.status).toBe('failed');
  expect(rows[0]?.error).toMatch(/ECONNREFUSED|connect/i);
  expect(rows[0]?.textBody).toContain('/verify-email?token=');
  expect(await handle.db.select().from(users).where(eq(users.email, email))).toHaveLength(1);
});

test('keeps mail in the outbox, marked stored, when no SMTP server is configured', async () => {
  const email = 'smtp.none@example.org';
  const deps: ServiceDeps = {
    mailer: createMailer({ from: 'IECPA <no-reply@iecpa.test>' }),
    siteUrl: 'http://portal.test',
  };
  await anonymousCaller(handle.db, deps, recordCookies(), uniqueMeta()).account.register(registration(email));
  expect((await outboxRowsTo(email)).map((r) => r.status)).toEqual(['stored']);
  expect(sink.received.some((m) => m.to.includes(email))).toBe(false);
});

test('gives up on an SMTP server that accepts the connection but never answers', async () => {
  const sockets: Socket[] = [];
  const silent = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const { port } = silent.address() as AddressInfo;
  const email = 'smtp.silent@example.org';
  const deps = depsFor(`smtp://127.0.0.1:${port}`, 300);
  const anon = anonymousCaller(handle.db, deps, recordCookies(), uniqueMeta());
  const started = performance.now();
  try {
    await expect(anon.account.register(registration(email))).resolves.toEqual({ ok: true });
    await deps.mailer.idle();
  } finally {
    for (const socket of sockets) socket.destroy();
    silent.close();
  }
  expect(performance.now() - started).toBeLessThan(5000);
  const rows = await outboxRowsTo(email);
  expect(rows.map((r) => r.status)).toEqual(['failed']);
  expect(rows[0]?.error).toMatch(/timeout|greeting/i);
});

test('answers a password reset for a known email without waiting for the mail server', async () => {
  const sockets: Socket[] = [];
  const silent = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const { port } = silent.address() as AddressInfo;
  const email = 'smtp.reset-silent@example.org';
  const quiet = depsFor(sink.url);
  await anonymousCaller(handle.db, quiet, recordCookies(), uniqueMeta()).account.register(registration(email));
  await quiet.mailer.idle();
  const deps = depsFor(`smtp://127.0.0.1:${port}`, 3000);
  const anon = anonymousCaller(handle.db, deps, recordCookies(), uniqueMeta());
  try {
    // The silent server holds delivery for its 3 s timeout; the answer must not wait for it.
    await expect(anon.account.requestPasswordReset({ email })).resolves.toEqual({ ok: true });
    const pending = (await outboxRowsTo(email)).filter((r) => r.subject === 'Reset your IECPA password');
    expect(pending.map((r) => r.status)).toEqual(['stored']);
    await deps.mailer.idle();
  } finally {
    for (const socket of sockets) socket.destroy();
    silent.close();
  }
  const done = (await outboxRowsTo(email)).filter((r) => r.subject === 'Reset your IECPA password');
  expect(done.map((r) => r.status)).toEqual(['failed']);
});
