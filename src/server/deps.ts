import { getEnv } from './env.ts';
import { createMailer } from './mail/mailer.ts';
import type { ServiceDeps } from './services/deps.ts';

let deps: ServiceDeps | null = null;

/** The process's service dependencies, built from the environment once. */
export function getDeps(): ServiceDeps {
  if (!deps) {
    const env = getEnv();
    deps = {
      mailer: createMailer({ smtpUrl: env.SMTP_URL, from: env.MAIL_FROM, logStored: env.NODE_ENV === 'development' }),
      siteUrl: env.SITE_URL.replace(/\/$/, ''),
    };
  }
  return deps;
}
