/**
 * A writer in a process of its own, for the backup test: stores an upload file, then commits the
 * membership_documents row naming it, and prints `ack <id>` once the commit has returned, until stdin closes.
 * Usage: node test/helpers/write-burst.ts <database path> <upload dir> <application id> <user id>
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'libsql';

const [databasePath, uploadDir, applicationId, userId] = process.argv.slice(2);
if (!databasePath || !uploadDir || !applicationId || !userId) throw new Error('usage: <db> <uploads> <app> <user>');
const folder = join(uploadDir, 'membership-documents');
mkdirSync(folder, { recursive: true });
const connection = new Database(databasePath, { timeout: 5000 });
const insert = connection.prepare(
  `insert into membership_documents
     (id, application_id, user_id, original_name, stored_name, mime_type, size_bytes, sha256, uploaded_at)
   values (?, ?, ?, 'burst.pdf', ?, 'application/pdf', ?, ?, ?)`,
);

let stopping = false;
process.stdin.on('end', () => {
  stopping = true;
});
process.stdin.resume();

for (let n = 0; !stopping; n++) {
  const id = `burst-${n}`;
  const storedName = randomBytes(16).toString('hex');
  const bytes = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(200 + (n % 500))]);
  writeFileSync(join(folder, storedName), bytes);
  insert.run(
    id,
    applicationId,
    userId,
    storedName,
    bytes.length,
    createHash('sha256').update(bytes).digest('hex'),
    Date.now(),
  );
  process.stdout.write(`ack ${id}\n`);
  // Let stdin's end event through between writes.
  await new Promise((resolve) => setImmediate(resolve));
}
connection.close();
