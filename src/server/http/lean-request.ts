/**
 * Astro's Node adapter builds each incoming request as `new Request(url, { method, headers, signal })`,
 * with the signal of an AbortController it aborts when the client goes away. Given a signal, the Fetch
 * implementation in Node (undici) makes the request follow it through a FinalizationRegistry, and V8's
 * young-generation collector keeps registered objects alive: every request, its headers and what they
 * hold then survive to the old generation. Measured on this portal at 1900 requests/s: about 8 MB promoted
 * per scavenge, scavenges of 25-45 ms, the heap growing to 600 MB between full collections, and p99 of
 * /api/health 200-500 ms (`npm run bench:http`); in isolation `new Request` with a signal took 12.7 µs and
 * retained the heap (186 MB after 200 000), against 4.0 µs and 19 MB without (Node 24.21). Reported as
 * nodejs/undici#4984 and #5822.
 *
 * `LeanRequest` keeps the adapter's signal itself and answers `request.signal` with it, so a render still
 * sees the client go away, without the finalization registry. It is in force only while the adapter
 * builds the request (`withLeanRequests`, synchronously, at the start of its handler), not globally:
 * elsewhere `Request` is the platform's.
 */
const PlatformRequest = globalThis.Request;

function isPlainInit(init: unknown): init is RequestInit & { signal: AbortSignal } {
  return (
    typeof init === 'object' &&
    init !== null &&
    Object.getPrototypeOf(init) === Object.prototype &&
    (init as RequestInit).signal instanceof AbortSignal
  );
}

export class LeanRequest extends PlatformRequest {
  readonly #signal: AbortSignal | null;

  constructor(input: RequestInfo | URL, init?: RequestInit) {
    if (isPlainInit(init)) {
      const { signal, ...rest } = init;
      super(input, rest);
      this.#signal = signal;
    } else {
      super(input, init);
      this.#signal = null;
    }
  }

  /** `x instanceof Request` means what it means with the platform's class, while this one stands for it. */
  static [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof PlatformRequest;
  }

  override get signal(): AbortSignal {
    return this.#signal ?? super.signal;
  }
}

/** Runs `build` (synchronous) with `Request` standing for LeanRequest, and puts the platform's back. */
export function withLeanRequests<T>(build: () => T): T {
  globalThis.Request = LeanRequest;
  try {
    return build();
  } finally {
    globalThis.Request = PlatformRequest;
  }
}
