import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { offerOpenLoopLoad } from '#scripts/open-loop-load.ts';

let server: Server;
let url = '';
let answered = 0;
/** Requests answered while this is set wait until it is cleared: a stalled server. */
let stallUntil = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    answered++;
    const answer = (): void => {
      res.statusCode = req.url === '/fail' ? 503 : 200;
      res.end('ok');
    };
    const wait = stallUntil - Date.now();
    if (wait > 0) setTimeout(answer, wait);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('sends the offered number of requests, the warm-up ones not counted', async () => {
  answered = 0;
  const result = await offerOpenLoopLoad({ url: `${url}/`, headers: {}, ratePerS: 200, durationS: 0.5, warmupS: 0.25 });
  expect(answered).toBe(150);
  expect(result.failed).toBe(0);
  expect(result.requestsPerS).toBeGreaterThan(150);
  expect(result.p50Ms).toBeLessThan(result.p99Ms + 1e-9);
});

test('times each request from when it was due, so a stall counts against every request it delays', async () => {
  // The server holds every answer for the first 150 ms of the measured run: requests due then waited for
  // the stall's end, so about 30 % of them took 50-150 ms; a closed-loop client would report one slow request.
  const started = offerOpenLoopLoad({ url: `${url}/`, headers: {}, ratePerS: 200, durationS: 0.5, warmupS: 0 });
  stallUntil = Date.now() + 150;
  const result = await started;
  expect(result.p99Ms).toBeGreaterThan(100);
  expect(result.p50Ms).toBeLessThan(100);
});

test('counts answers other than 2xx as failed', async () => {
  const result = await offerOpenLoopLoad({
    url: `${url}/fail`,
    headers: {},
    ratePerS: 100,
    durationS: 0.2,
    warmupS: 0,
  });
  expect(result.failed).toBe(20);
  expect(result.failures).toEqual({ 'status 503': 20 });
  expect(Number.isNaN(result.p99Ms)).toBe(true);
});

test('names a network failure apart from an answer, so a client race is not read as a server error', async () => {
  // A port with nothing listening: every connection is refused.
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const { port } = closed.address() as AddressInfo;
  await new Promise((resolve) => closed.close(resolve));
  const result = await offerOpenLoopLoad({
    url: `http://127.0.0.1:${port}/`,
    headers: {},
    ratePerS: 100,
    durationS: 0.1,
    warmupS: 0,
  });
  expect(result.failed).toBe(10);
  expect(result.failures).toEqual({ ECONNREFUSED: 10 });
});

test('refuses a rate or a duration that is not positive', async () => {
  await expect(offerOpenLoopLoad({ url, headers: {}, ratePerS: 0, durationS: 1 })).rejects.toThrow('positive');
  await expect(offerOpenLoopLoad({ url, headers: {}, ratePerS: 10, durationS: -1 })).rejects.toThrow('positive');
});
