/**
 * Astro 7.3 hashes each stylesheet of a server-rendered page for its CSP on every request, linked stylesheets
 * included, whose inline content is empty (it adds the hash of nothing to style-src). /account links four
 * stylesheets: four SHA-256 digests of nothing per request, each a job for libuv's thread pool, 11 % of the
 * page's server CPU time. A digest of empty input is a constant, so this answers it from memory; every other
 * digest goes to Web Crypto as before. scripts/serve.ts applies it to the server process.
 */
export function answerEmptyDigestsFromMemory(subtle: SubtleCrypto): void {
  const digest = subtle.digest.bind(subtle);
  const known = new Map<string, Promise<ArrayBuffer>>();
  subtle.digest = (algorithm: AlgorithmIdentifier, data: BufferSource): Promise<ArrayBuffer> => {
    if (data.byteLength !== 0) return digest(algorithm, data);
    const name = (typeof algorithm === 'string' ? algorithm : algorithm.name).toUpperCase();
    let result = known.get(name);
    if (!result) {
      result = digest(algorithm, data);
      known.set(name, result);
      // An unknown algorithm must keep failing the way Web Crypto fails it, not be remembered.
      result.catch(() => known.delete(name));
    }
    // Each caller gets its own copy: an ArrayBuffer can be changed or transferred.
    return result.then((buffer) => buffer.slice(0));
  };
}
