/**
 * Membership categories: what each is, its term, the evidence it asks for and who may apply. Everyone reads
 * them (the public /membership page); admins edit them (audited). Categories are archived, never deleted.
 */
import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '#db/client.ts';
import {
  CATEGORY_APPLICANTS,
  CATEGORY_TERMS,
  type CategoryApplicants,
  type CategoryTerm,
  membershipCategories,
} from '#db/schema/index.ts';
import { PROFESSION_LABELS, PROFESSIONS } from '#src/lib/schemas.ts';
import { writeAudit } from '../audit.ts';
import { type Refusal, refuse } from '../refusal.ts';
import type { RequestMeta } from './deps.ts';

export type Profession = (typeof PROFESSIONS)[number];

export interface MembershipCategory {
  id: string;
  name: string;
  description: string;
  term: CategoryTerm;
  evidenceRequired: string;
  minDocuments: number;
  applicants: CategoryApplicants;
  /** Professions allowed to apply; empty means any profession. */
  eligibleProfessions: Profession[];
  archived: boolean;
  sortOrder: number;
  updatedAt: number;
}

export const CATEGORY_LIMITS = {
  nameMax: 80,
  descriptionMax: 2000,
  evidenceMax: 1000,
  minDocumentsMax: 10,
  sortOrderMax: 1000,
} as const;

const professionsSchema = z.array(z.enum(PROFESSIONS));

type CategoryRow = typeof membershipCategories.$inferSelect;

function toCategory(row: CategoryRow): MembershipCategory {
  const parsed = professionsSchema.safeParse(JSON.parse(row.eligibleProfessionsJson));
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    term: row.term,
    evidenceRequired: row.evidenceRequired,
    minDocuments: row.minDocuments,
    applicants: row.applicants,
    eligibleProfessions: parsed.success ? parsed.data : [],
    archived: row.archived,
    sortOrder: row.sortOrder,
    updatedAt: row.updatedAt,
  };
}

/** Categories in display order; archived ones only when asked (the admin page). */
export async function listCategories(
  db: Pick<Db, 'select'>,
  options: { includeArchived?: boolean } = {},
): Promise<MembershipCategory[]> {
  const rows = await db
    .select()
    .from(membershipCategories)
    .orderBy(asc(membershipCategories.sortOrder), asc(membershipCategories.name));
  return rows.map(toCategory).filter((c) => options.includeArchived || !c.archived);
}

export async function getCategory(db: Pick<Db, 'select'>, id: string): Promise<MembershipCategory | null> {
  const [row] = await db.select().from(membershipCategories).where(eq(membershipCategories.id, id)).limit(1);
  return row ? toCategory(row) : null;
}

/** A human phrase for who may apply, for the public page and the form. */
export function whoMayApply(category: MembershipCategory): string {
  if (category.applicants === 'by-invitation') return 'By invitation of the board only; it cannot be applied for.';
  if (category.eligibleProfessions.length === 0) return 'Anyone with a signed-in account.';
  return `Applicants whose profession is: ${category.eligibleProfessions.map((p) => PROFESSION_LABELS[p]).join(', ')}.`;
}

/**
 * Whether someone of `profession` may apply for `category`: the reason shown to them when not. Archived
 * and by-invitation categories take no applications; a profession list limits who may apply.
 */
export function applicationRefusal(category: MembershipCategory, profession: string): string | null {
  if (category.archived) return `The ${category.name} category no longer takes applications.`;
  if (category.applicants === 'by-invitation') {
    return `${category.name} is granted by invitation of the board and cannot be applied for.`;
  }
  if (category.eligibleProfessions.length > 0 && !category.eligibleProfessions.includes(profession as Profession)) {
    const allowed = category.eligibleProfessions.map((p) => PROFESSION_LABELS[p]).join(', ');
    return `${category.name} is only for applicants whose profession is: ${allowed}.`;
  }
  return null;
}

const trimmed = (label: string, max: number) =>
  z
    .string({ error: `Enter the ${label}.` })
    .trim()
    .min(1, `Enter the ${label}.`)
    .max(max, `Use at most ${max} characters.`);

/** What an admin may change on a category (the id stays: memberships refer to it). */
export const categoryUpdateInput = z.object({
  id: z.string().min(1).max(64),
  name: trimmed('name', CATEGORY_LIMITS.nameMax),
  description: trimmed('description', CATEGORY_LIMITS.descriptionMax),
  term: z.enum(CATEGORY_TERMS, { error: 'Choose annual or lifetime.' }),
  evidenceRequired: trimmed('evidence required', CATEGORY_LIMITS.evidenceMax),
  minDocuments: z.coerce
    .number({ error: 'Enter a number of documents.' })
    .int('Enter a whole number.')
    .min(0, 'Use 0 or more.')
    .max(CATEGORY_LIMITS.minDocumentsMax, `Use at most ${CATEGORY_LIMITS.minDocumentsMax}.`),
  applicants: z.enum(CATEGORY_APPLICANTS, { error: 'Choose who may apply.' }),
  eligibleProfessions: z.array(z.enum(PROFESSIONS, { error: 'Choose professions from the list.' })).max(20),
  archived: z.boolean(),
  sortOrder: z.coerce
    .number({ error: 'Enter a position.' })
    .int('Enter a whole number.')
    .min(0, 'Use 0 or more.')
    .max(CATEGORY_LIMITS.sortOrderMax, `Use at most ${CATEGORY_LIMITS.sortOrderMax}.`),
});
export type CategoryUpdateInput = z.infer<typeof categoryUpdateInput>;

export type UpdateCategoryResult = { ok: true; category: MembershipCategory } | Refusal;

/** Saves an admin's edit; the audit row keeps the fields before and after. */
export async function updateCategory(
  db: Db,
  actorId: string,
  input: CategoryUpdateInput,
  meta: RequestMeta,
  now = Date.now(),
): Promise<UpdateCategoryResult> {
  return db.transaction(async (tx) => {
    const before = await getCategory(tx, input.id);
    if (!before) return refuse('NOT_FOUND', 'That category does not exist.');
    const eligibleProfessions = [...new Set(input.eligibleProfessions)];
    await tx
      .update(membershipCategories)
      .set({
        name: input.name,
        description: input.description,
        term: input.term,
        evidenceRequired: input.evidenceRequired,
        minDocuments: input.minDocuments,
        applicants: input.applicants,
        eligibleProfessionsJson: JSON.stringify(eligibleProfessions),
        archived: input.archived,
        sortOrder: input.sortOrder,
        updatedAt: now,
      })
      .where(eq(membershipCategories.id, input.id));
    const after = await getCategory(tx, input.id);
    if (!after) throw new Error(`Category ${input.id} vanished inside its own update`);
    const { updatedAt: _b, ...beforeFields } = before;
    const { updatedAt: _a, ...afterFields } = after;
    await writeAudit(
      tx,
      {
        actorId,
        action: 'membership.category-updated',
        subjectId: input.id,
        ipAddress: meta.ipAddress,
        details: { before: beforeFields, after: afterFields },
      },
      now,
    );
    return { ok: true, category: after } as const;
  });
}
