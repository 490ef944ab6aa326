/**
 * Adds a new Ed25519 signing key for credentials (README, "Credential signing keys"): it signs from the next
 * start of the server on; every older key stays published, so badges signed before keep verifying.
 *
 *   npm run credentials:rotate-key
 */
import { rotateSigningKey } from '#src/server/credential-keys.ts';
import { getEnv } from '#src/server/env.ts';

const env = getEnv();
const thumbprint = await rotateSigningKey(env.CREDENTIAL_KEY_DIR);
console.log(
  `New signing key ${thumbprint} added in ${env.CREDENTIAL_KEY_DIR}. Restart the server to sign with it; the older keys stay published.`,
);
