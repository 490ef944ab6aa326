// An unexpected console.error is a bug: fail the test that caused it.
import { afterEach, vi } from 'vitest';

const errors: unknown[][] = [];
vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
  errors.push(args);
});

afterEach(() => {
  if (errors.length > 0) {
    const first = errors.splice(0).map((a) => a.map(String).join(' '));
    throw new Error(`Unexpected console.error:\n${first.join('\n')}`);
  }
});
