import { z } from 'zod';
import { parseAllowList } from './http/metrics.ts';

/** Every setting the portal reads from the environment, validated once. Documented in the README. */
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: z.string().min(1).default('file:data/iecpa.db'),
  DATABASE_AUTH_TOKEN: z.string().optional(),
  SITE_URL: z.url().default('http://localhost:4321'),
  SMTP_URL: z.string().optional(),
  MAIL_FROM: z.string().default('IECPA <no-reply@iecpa.localhost>'),
  UPLOAD_DIR: z.string().default('data/uploads'),
  HOST: z.string().default('localhost'),
  PORT: z.coerce.number().int().min(1).max(65535).default(4321),
  /** Where `npm run db:backup` and the nightly backup job put their archives. */
  BACKUP_DIR: z.string().default('data/backups'),
  /** How many nightly archives to keep (the oldest beyond this are deleted); 0 turns the nightly backup off. */
  BACKUP_KEEP: z.coerce.number().int().min(0).max(10_000).default(14),
  /** Client addresses and CIDR blocks (comma-separated) that may read /metrics; loopback only by default. */
  METRICS_ALLOW: z
    .string()
    .default('127.0.0.1,::1')
    .refine((text) => parseAllowList(text) !== null, 'give IP addresses or CIDR blocks separated by commas'),
  /** The hour (UTC) from which the day's backup is made; the job runs hourly and makes one a day. */
  BACKUP_HOUR_UTC: z.coerce.number().int().min(0).max(23).default(2),
  /** Server processes sharing the port (node:cluster workers); see the README before raising it. */
  WEB_CONCURRENCY: z.coerce
    .number({ error: 'WEB_CONCURRENCY must be a whole number from 1 to 64.' })
    .int('WEB_CONCURRENCY must be a whole number from 1 to 64.')
    .min(1, 'WEB_CONCURRENCY must be a whole number from 1 to 64.')
    .max(64, 'WEB_CONCURRENCY must be a whole number from 1 to 64.')
    .default(1),
  /**
   * Where the association's credential-signing keys live (Ed25519, generated at first start; outside the web
   * root and the database, so a database backup never carries the private key).
   */
  CREDENTIAL_KEY_DIR: z.string().default('data/keys'),
  /** Requests a minute one client address may make to the public registry (search, records, verification). */
  REGISTRY_RATE_LIMIT: z.coerce.number().int().min(1).default(120),
  /** DOI prefix of the journal's articles (`<prefix>/iecpa.<year>.<seq>`); 10.5555 is Crossref's test prefix. */
  DOI_PREFIX: z
    .string()
    .regex(/^10\.\d{4,9}$/, 'DOI_PREFIX must look like 10.5555')
    .default('10.5555'),
});

export type Env = z.infer<typeof envSchema>;

export function parseEnv(source: Record<string, string | undefined>): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid environment configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}

let cached: Env | null = null;

/** The process environment, parsed on first use. */
export function getEnv(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
