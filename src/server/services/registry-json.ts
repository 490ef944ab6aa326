/**
 * The registry record of one number as JSON, for insurers' and hospitals' systems (README, "Registry JSON").
 * The same answer as the record page: live status, never a private detail.
 */
import { toIsoDate } from '#src/lib/dates.ts';
import type { RegistryEntry, RegistryLookup } from './credential-registry.ts';

export interface RegistryJson {
  number: string;
  found: boolean;
  holder?: string;
  country?: string;
  credential?: string;
  status?: string;
  statusLabel?: string;
  certifiedNow?: boolean;
  reasonClass?: string | null;
  issuedOn?: string | null;
  validUntil?: string | null;
  expiredOn?: string | null;
  participatingInMaintenance?: boolean | null;
  lastChanged?: string;
  verificationPage?: string;
}

export function registryJson(number: string, lookup: RegistryLookup, siteUrl: string): RegistryJson {
  if (lookup.kind !== 'credential') return { number, found: false };
  const e: RegistryEntry = lookup.entry;
  return {
    number: e.number,
    found: true,
    holder: e.name,
    country: e.country,
    credential: e.credential,
    status: e.status,
    statusLabel: e.statusLabel,
    certifiedNow: e.certifiedNow,
    reasonClass: e.reasonClass,
    issuedOn: e.issuedAt === null ? null : toIsoDate(e.issuedAt),
    validUntil: e.certifiedNow && e.expiresAt !== null ? toIsoDate(e.expiresAt) : null,
    expiredOn: e.status === 'expired' && e.expiresAt !== null ? toIsoDate(e.expiresAt) : null,
    participatingInMaintenance: e.participatingInMaintenance,
    lastChanged: new Date(e.lastChangedAt).toISOString(),
    verificationPage: `${siteUrl}/registry/${e.number}`,
  };
}

/** A validator for conditional requests: changes whenever anything the record shows changes. */
export function registryEtag(lookup: RegistryLookup): string {
  if (lookup.kind !== 'credential') return 'W/"none"';
  const e = lookup.entry;
  return `W/"${e.number}-${e.lastChangedAt}-${e.status}-${e.noindex ? 1 : 0}"`;
}
