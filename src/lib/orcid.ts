/**
 * ORCID iDs: 16 characters in four groups of four, the last a check character computed with ISO 7064
 * MOD 11-2 over the first 15 digits (ORCID, "Structure of the ORCID Identifier",
 * https://support.orcid.org/hc/en-us/articles/360006897674): for each digit, total = (total + digit) × 2;
 * remainder = total mod 11; check = (12 − remainder) mod 11, written "X" when it is 10.
 */

const ORCID_SHAPE = /^(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])$/;

/** The ISO 7064 MOD 11-2 check character of 15 base digits. */
export function orcidCheckCharacter(baseDigits: string): string {
  let total = 0;
  for (const ch of baseDigits) total = (total + Number(ch)) * 2;
  const result = (12 - (total % 11)) % 11;
  return result === 10 ? 'X' : String(result);
}

/**
 * The bare iD (0000-0002-1825-0097) of what a person typed: the bare form, without hyphens, or the
 * https://orcid.org/ URL; null when the shape or the check character is wrong.
 */
export function normaliseOrcid(input: string): string | null {
  const trimmed = input
    .trim()
    .toUpperCase()
    .replace(/^HTTPS?:\/\/(WWW\.)?ORCID\.ORG\//, '');
  const match = ORCID_SHAPE.exec(trimmed);
  if (!match) return null;
  const digits = match.slice(1, 5).join('');
  if (orcidCheckCharacter(digits.slice(0, 15)) !== digits[15]) return null;
  return match.slice(1, 5).join('-');
}

/** The iD's public record, the form ORCID asks displays to link to. */
export function orcidUrl(orcid: string): string {
  return `https://orcid.org/${orcid}`;
}
