import { z } from 'zod';

/**
 * Field schemas and their limits, shared by the forms and the tRPC procedures so that both say the same
 * thing about the same field.
 */
export const LIMITS = {
  nameMax: 120,
  emailMax: 254,
  passwordMin: 8,
  passwordMax: 128,
  searchMax: 100,
} as const;

export const PROFESSIONS = [
  'physician',
  'nurse',
  'perfusionist',
  'technologist',
  'physiotherapist',
  'researcher',
  'industry',
  'other',
] as const;

export const PROFESSION_LABELS: Record<(typeof PROFESSIONS)[number], string> = {
  physician: 'Physician',
  nurse: 'Nurse',
  perfusionist: 'Perfusionist',
  technologist: 'Technologist',
  physiotherapist: 'Physiotherapist',
  researcher: 'Researcher',
  industry: 'Industry (ECP device manufacturer or distributor)',
  other: 'Other health professional',
};

/** ISO 3166-1 alpha-2 codes; names come from Intl.DisplayNames so there is no list of names to maintain. */
export const COUNTRY_CODES =
  `AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM
FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP
KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV
MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD
SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC
VE VG VI VN VU WF WS XK YE YT ZA ZM ZW`
    .split(/\s+/)
    .filter(Boolean);

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
export function countryName(code: string): string {
  return regionNames.of(code) ?? code;
}

/**
 * Bidirectional embeddings, overrides and isolates (Unicode UAX #9): they make text display as other text
 * than it is (a licence number, a name in an admin's list); no field needs them (the marks U+200E/U+200F
 * stay allowed).
 */
const DIRECTION_CONTROL_RANGES = '\\u202a-\\u202e\\u2066-\\u2069';
export const TEXT_DIRECTION_CONTROLS = new RegExp(`[${DIRECTION_CONTROL_RANGES}]`, 'u');
/** Characters a single-line field refuses: control characters and text-direction controls. */
export const UNSAFE_LINE_CHARACTERS = new RegExp(`[\\p{Cc}${DIRECTION_CONTROL_RANGES}]`, 'u');

export const nameField = z
  .string({ error: 'Enter your name.' })
  .trim()
  .min(1, 'Enter your name.')
  .max(LIMITS.nameMax, `Use at most ${LIMITS.nameMax} characters.`)
  .refine((v) => !/\p{Cc}/u.test(v), 'Remove control characters from the name.')
  .refine((v) => !TEXT_DIRECTION_CONTROLS.test(v), 'Remove text-direction control characters from the name.');

export const emailField = z
  .string({ error: 'Enter your email address.' })
  .trim()
  .min(1, 'Enter your email address.')
  .max(LIMITS.emailMax, `Use at most ${LIMITS.emailMax} characters.`)
  .pipe(z.email('Enter an email address like name@example.org.'))
  .transform((v) => v.toLowerCase());

export const passwordField = z
  .string({ error: 'Enter a password.' })
  .min(LIMITS.passwordMin, `Use at least ${LIMITS.passwordMin} characters.`)
  .max(LIMITS.passwordMax, `Use at most ${LIMITS.passwordMax} characters.`);

/** The password being typed to sign in: any length up to the maximum (old accounts may predate rules). */
export const currentPasswordField = z
  .string({ error: 'Enter your password.' })
  .min(1, 'Enter your password.')
  .max(LIMITS.passwordMax, `Use at most ${LIMITS.passwordMax} characters.`);

export const countryField = z.enum(COUNTRY_CODES as [string, ...string[]], { error: 'Choose your country.' });

export const professionField = z.enum(PROFESSIONS, { error: 'Choose your profession.' });

export const acceptEthicsField = z.literal(true, { error: 'Accept the code of ethics to join.' });

export const totpCodeField = z
  .string({ error: 'Enter the 6-digit code.' })
  .trim()
  .regex(/^\d{6}$/, 'Enter the 6-digit code from your authenticator app.');

/** A 6-digit TOTP code or a recovery code (xxxxx-xxxxx). */
export const secondFactorField = z
  .string({ error: 'Enter a code.' })
  .trim()
  .min(1, 'Enter a code.')
  .max(20, 'That code is too long.')
  .regex(/^(\d{6}|[a-z2-7]{5}-[a-z2-7]{5})$/i, 'Enter the 6-digit code or a recovery code like abcde-fghij.');

export const tokenField = z
  .string({ error: 'The link is incomplete.' })
  .min(10, 'The link is incomplete.')
  .max(100, 'The link is not valid.')
  .regex(/^[a-z2-7]+$/, 'The link is not valid.');

export const registerInput = z.object({
  name: nameField,
  email: emailField,
  password: passwordField,
  country: countryField,
  profession: professionField,
  acceptEthics: acceptEthicsField,
});
export type RegisterInput = z.infer<typeof registerInput>;

/** Member profile (directory) limits: long enough for a clinic's description, short enough for a listing. */
export const PROFILE_LIMITS = {
  bioMax: 2000,
  practiceNameMax: 120,
  cityMax: 80,
  listItemsMax: 10,
  languageMax: 40,
  specialtyMax: 80,
} as const;

export const fieldVisibilityField = z.enum(['public', 'members', 'hidden'], {
  error: 'Choose who may see this: everyone, members only, or nobody.',
});

/** Plain single-line profile text: no control or text-direction characters (see nameField). */
function profileLine(label: string, max: number) {
  return z
    .string()
    .trim()
    .max(max, `Use at most ${max} characters for the ${label}.`)
    .refine((v) => !UNSAFE_LINE_CHARACTERS.test(v), `Remove control characters from the ${label}.`);
}

/** A comma-separated list typed into one field ("English, German"), or an array from an island. */
function profileList(label: string, itemMax: number) {
  return z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (typeof v === 'string' ? v.split(',') : v).map((item) => item.trim()).filter(Boolean))
    .pipe(
      z
        .array(profileLine(label, itemMax))
        .max(PROFILE_LIMITS.listItemsMax, `List at most ${PROFILE_LIMITS.listItemsMax} ${label}s.`),
    );
}

export const memberProfileFields = z.object({
  bio: z
    .string()
    .trim()
    .max(PROFILE_LIMITS.bioMax, `Use at most ${PROFILE_LIMITS.bioMax} characters for the biography.`)
    .refine(
      // Line breaks and tabs are fine in a biography; other controls and direction overrides are not.
      (v) => !/(?![\t\n\r])\p{Cc}/u.test(v) && !TEXT_DIRECTION_CONTROLS.test(v),
      'Remove control characters from the biography.',
    ),
  bioVisibility: fieldVisibilityField,
  practiceName: profileLine('practice name', PROFILE_LIMITS.practiceNameMax),
  city: profileLine('city', PROFILE_LIMITS.cityMax),
  country: countryField,
  locationVisibility: fieldVisibilityField,
  languages: profileList('language', PROFILE_LIMITS.languageMax),
  languagesVisibility: fieldVisibilityField,
  specialties: profileList('specialty', PROFILE_LIMITS.specialtyMax),
  specialtiesVisibility: fieldVisibilityField,
  photoVisibility: fieldVisibilityField,
  /** The directory opt-in; true records consent to the current listing terms. */
  listed: z.boolean({ error: 'Say whether to list you in the directory.' }),
});
export type MemberProfileFields = z.infer<typeof memberProfileFields>;

/** Directory search: free-text name and filters, each as typed (the service makes them safe for FTS5). */
export const directorySearchInput = z.object({
  q: z.string().max(LIMITS.searchMax, `Use at most ${LIMITS.searchMax} characters.`).default(''),
  country: z.union([z.literal(''), countryField]).default(''),
  city: z.string().max(PROFILE_LIMITS.cityMax, `Use at most ${PROFILE_LIMITS.cityMax} characters.`).default(''),
  language: z
    .string()
    .max(PROFILE_LIMITS.languageMax, `Use at most ${PROFILE_LIMITS.languageMax} characters.`)
    .default(''),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
});
export type DirectorySearchInput = z.infer<typeof directorySearchInput>;
