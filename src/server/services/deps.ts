import type { Mailer } from '../mail/mailer.ts';

/** What services need besides the database: built once per process, or per test. */
export interface ServiceDeps {
  mailer: Mailer;
  /** Absolute origin for links in mail, e.g. https://portal.iecpa.org */
  siteUrl: string;
  /** Directory of the credential-signing keys; CREDENTIAL_KEY_DIR when unset (tests pass their own). */
  credentialKeyDir?: string;
}

/** Where a request came from, for sessions, rate limits and the audit log. */
export interface RequestMeta {
  ipAddress: string;
  userAgent: string;
}
