import { expect, test } from 'vitest';
import { dataGeneration, openDb } from '#db/client.ts';
import { scratchTestDb } from '#test/helpers/db.ts';

test('the data generation holds while nothing is written and moves on every commit, from any connection', async () => {
  const handle = await scratchTestDb();
  await handle.client.execute('CREATE TABLE generation_probe (value INTEGER NOT NULL)');
  const first = dataGeneration(handle.db);
  expect(first).not.toBeNull();
  await handle.client.execute('SELECT count(*) FROM users');
  expect(dataGeneration(handle.db)).toBe(first);

  // A write through the same client (its own connection), then one in a transaction, then another process's
  // connection: each is seen.
  await handle.client.execute('INSERT INTO generation_probe (value) VALUES (1)');
  const afterWrite = dataGeneration(handle.db);
  expect(afterWrite).toBeGreaterThan(first ?? 0);
  expect(dataGeneration(handle.db)).toBe(afterWrite);

  const tx = await handle.client.transaction('write');
  await tx.execute('UPDATE generation_probe SET value = 2');
  await tx.commit();
  const afterTransaction = dataGeneration(handle.db);
  expect(afterTransaction).toBeGreaterThan(afterWrite ?? 0);

  const other = await openDb({ url: `file:${handle.path}` });
  try {
    await other.client.execute('UPDATE generation_probe SET value = 3');
  } finally {
    other.client.close();
  }
  expect(dataGeneration(handle.db)).toBeGreaterThan(afterTransaction ?? 0);
});

test('a database that is not an embedded file has no generation to read', async () => {
  const memory = await openDb({ url: 'file::memory:' });
  try {
    expect(dataGeneration(memory.db)).toBeNull();
  } finally {
    memory.client.close();
  }
});
