import { TRPCError } from '@trpc/server';
import { expect, test } from 'vitest';
import { flattenFieldErrors } from '#src/server/api/trpc.ts';
import { type RefusalCode, refuse, statusForCode, unwrap } from '#src/server/refusal.ts';

test('refuse keeps field messages only when there are some', () => {
  expect(refuse('CONFLICT', 'Taken.')).toEqual({ ok: false, code: 'CONFLICT', message: 'Taken.' });
  expect(refuse('BAD_REQUEST', 'Fix it.', { name: 'Give a name.' })).toEqual({
    ok: false,
    code: 'BAD_REQUEST',
    message: 'Fix it.',
    fieldErrors: { name: 'Give a name.' },
  });
});

test('unwrap passes a success through and throws a refusal as a TRPCError with its code, message and fields', () => {
  const success = { ok: true as const, value: 3 };
  expect(unwrap(success)).toBe(success);
  let thrown: unknown;
  try {
    unwrap(refuse('PAYLOAD_TOO_LARGE', 'Too big.', { file: 'Too big.' }));
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(TRPCError);
  const error = thrown as TRPCError;
  expect({ code: error.code, message: error.message }).toEqual({ code: 'PAYLOAD_TOO_LARGE', message: 'Too big.' });
  expect(flattenFieldErrors(error.cause)).toEqual({ file: 'Too big.' });
});

test('every refusal code has its own page status; anything else is a 400', () => {
  const statuses: Record<RefusalCode, number> = {
    BAD_REQUEST: 400,
    UNAUTHORIZED: 401,
    FORBIDDEN: 403,
    NOT_FOUND: 404,
    CONFLICT: 409,
    PRECONDITION_FAILED: 412,
    PAYLOAD_TOO_LARGE: 413,
    TOO_MANY_REQUESTS: 429,
  };
  for (const [code, status] of Object.entries(statuses)) expect(statusForCode(code), code).toBe(status);
  expect(statusForCode('PARSE_ERROR')).toBe(400);
});
