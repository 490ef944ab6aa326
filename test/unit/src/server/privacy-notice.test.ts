import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { SESSION_ABSOLUTE_TIMEOUT_MS, SESSION_IDLE_TIMEOUT_MS } from '#src/server/auth/session.ts';
import { ERASURE_RULES } from '#src/server/services/account-closure.ts';
import { CONTACT_MESSAGE_KEPT_DAYS } from '#src/server/services/contact.ts';
import { DECIDED_DOCUMENTS_KEPT_DAYS } from '#src/server/services/membership-documents.ts';

/** The notice's text with line breaks folded, so a phrase may wrap in the source. */
const notice = readFileSync(new URL('../../../../content/pages/privacy.md', import.meta.url), 'utf8').replace(
  /\s+/g,
  ' ',
);
const HOUR_MS = 60 * 60 * 1000;

test('the keeping periods the privacy notice states are the ones the code applies', () => {
  expect(notice).toContain(`| ${DECIDED_DOCUMENTS_KEPT_DAYS} days after the decision`);
  expect(CONTACT_MESSAGE_KEPT_DAYS).toBe(365);
  expect(notice).toContain('| Contact messages | One year after they are received, then deleted |');
  expect(SESSION_IDLE_TIMEOUT_MS).toBe(HOUR_MS);
  expect(SESSION_ABSOLUTE_TIMEOUT_MS).toBe(12 * HOUR_MS);
  expect(notice).toContain('after an hour without activity, or twelve hours');
});

test('what the notice says survives an account closure is what erasure keeps', () => {
  // Kept: the notice names each; deleted: the notice lists each as erased.
  const kept: Record<string, string> = {
    membership_events: 'membership number and history',
    membership_payments: 'payments',
    cpd_activities: 'CPD credits',
    module_completions: 'completed modules',
    simulator_attempts: 'assessment attempts',
    consents: 'acceptance of the code of ethics',
    handbook_revisions: 'text you wrote for the',
  };
  for (const [table, words] of Object.entries(kept)) {
    expect(ERASURE_RULES[table]?.action, table).toBe('keep');
    expect(notice, table).toContain(words);
  }
  const erased: Record<string, string> = {
    sessions: 'sessions',
    membership_applications: 'applications and their documents',
    member_profiles: 'directory entry',
    reading_progress: 'reading marks',
    quiz_attempts: 'quiz attempts',
    simulator_practice_sessions: 'practice runs',
    contact_messages: 'messages',
  };
  for (const [table, words] of Object.entries(erased)) {
    expect(ERASURE_RULES[table]?.action, table).toBe('delete');
    expect(notice, table).toContain(words);
  }
});
