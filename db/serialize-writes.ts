import type { Client, InStatement, Transaction, TransactionMode } from '@libsql/client';

/**
 * Lets one writer at a time into an embedded (file) database, queueing the others without blocking.
 *
 * Why: the embedded driver runs SQLite synchronously on the event loop, and each transaction holds its own
 * pooled connection across `await`s. When a second writer met the first one's lock, SQLite's busy handler
 * slept on the event loop for the whole busy timeout, so the first writer could never reach its COMMIT:
 * the server froze for 5 s and the second request failed with SQLITE_BUSY (four concurrent email
 * verifications took 15 s, three of them failing). Queueing writers in the process removes the wait.
 *
 * Reads (statements starting with SELECT) are not queued: in WAL mode they never wait for a writer, and a
 * read through the client inside a transaction must not wait for that same transaction. A write that has
 * waited `maxWaitMs` goes ahead anyway, so a mistaken write through the client inside a transaction fails as
 * it did before (SQLITE_BUSY) instead of hanging.
 */
export function serializeWrites(client: Client, maxWaitMs: number): Client {
  let tail: Promise<void> = Promise.resolve();

  /** Waits for the writers queued before this one (or `maxWaitMs`); resolves to this writer's release. */
  async function enqueue(): Promise<() => void> {
    let release: () => void = () => {};
    const ended = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = tail;
    tail = previous.then(() => ended);
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, maxWaitMs);
    });
    await Promise.race([previous, waited]);
    clearTimeout(timer);
    return release;
  }

  async function asWriter<T>(run: () => Promise<T>): Promise<T> {
    const release = await enqueue();
    try {
      return await run();
    } finally {
      release();
    }
  }

  async function openTransaction(mode?: TransactionMode): Promise<Transaction> {
    const release = await enqueue();
    let tx: Transaction;
    try {
      tx = await client.transaction(mode);
    } catch (error) {
      release();
      throw error;
    }
    return new Proxy(tx, {
      get(target, property) {
        const value = Reflect.get(target, property);
        if (property === 'commit' || property === 'rollback') {
          return async () => {
            try {
              return await (value as () => Promise<void>).call(target);
            } finally {
              release();
            }
          };
        }
        if (property === 'close') {
          return () => {
            try {
              (value as () => void).call(target);
            } finally {
              release();
            }
          };
        }
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  return new Proxy(client, {
    get(target, property) {
      const value = Reflect.get(target, property);
      switch (property) {
        case 'execute':
          return (stmt: InStatement | string, args?: unknown) => {
            const sql = typeof stmt === 'string' ? stmt : stmt.sql;
            const call = () =>
              (target.execute as (s: unknown, a?: unknown) => ReturnType<Client['execute']>)(stmt, args);
            return /^\s*select\b/i.test(sql) ? call() : asWriter(call);
          };
        case 'batch':
          return (...args: Parameters<Client['batch']>) => asWriter(() => target.batch(...args));
        case 'migrate':
          return (...args: Parameters<Client['migrate']>) => asWriter(() => target.migrate(...args));
        case 'executeMultiple':
          return (sql: string) => asWriter(() => target.executeMultiple(sql));
        case 'transaction':
          return openTransaction;
        default:
          return typeof value === 'function' ? value.bind(target) : value;
      }
    },
  });
}
