import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { CREDENTIAL_STATUSES, REASON_CLASSES } from '#db/schema/index.ts';
import { definitionInputSchema, SLUG_PATTERN } from '#src/lib/credential-rules.ts';
import { unwrap } from '../../refusal.ts';
import {
  type KnowledgeCheckState,
  knowledgeCheckResult,
  knowledgeCheckState,
  startKnowledgeCheck,
} from '../../services/credential-knowledge-check.ts';
import { registryRecord, searchRegistry } from '../../services/credential-registry.ts';
import {
  adminCredential,
  awardIfEligible,
  evaluateRequirements,
  getCredential,
  getRegistryPreferences,
  listAllDefinitionVersions,
  listCurrentDefinitions,
  listHolderCredentials,
  listHolders,
  reinstateCredential,
  revokeCredential,
  saveDefinition,
  setInactive,
  setRegistryPreferences,
  signOff,
  suspendCredential,
} from '../../services/credentials.ts';
import { badgeConfig, MAX_PRESENTED_BYTES, verifyPresented } from '../../services/open-badges.ts';
import { protectedProcedure, publicProcedure, roleProcedure, router } from '../trpc.ts';

const credentialId = z.string().min(1).max(64);
/** An admin's reason: required, so that every suspension and revocation says why (audited, mailed). */
const reason = z
  .string()
  .trim()
  .min(10, 'Give the reason in at least 10 characters.')
  .max(1000, 'A reason is at most 1000 characters.');
const reasonClass = z.enum(REASON_CLASSES, 'Choose the kind of reason.');

/**
 * Whether `display` is a way of writing `accountName`: each of its words is a word of the account name or
 * the initial of one (e.g. "M. Member" for "Maria Member"), so nobody is listed under someone else's name.
 */
export function isFormOfName(display: string, accountName: string): boolean {
  const words = (s: string) =>
    s
      .normalize('NFC')
      .toLocaleLowerCase()
      .split(/[\s]+/)
      .map((w) => w.replace(/\.$/, ''))
      .filter(Boolean);
  const own = words(accountName);
  const shown = words(display);
  return (
    shown.length > 0 && shown.every((w) => own.includes(w) || (w.length === 1 && own.some((o) => o.startsWith(w))))
  );
}

export const credentialsRouter = router({
  /** The signed-in user's progress towards each credential, and the credentials they hold. */
  mine: protectedProcedure.query(async ({ ctx }) => {
    const held = await listHolderCredentials(ctx.db, ctx.user.id);
    const progress = [];
    for (const version of await listCurrentDefinitions(ctx.db)) {
      const holding = held.find((c) => c.definitionSlug === version.slug);
      const expiredAt = holding?.status === 'expired' ? holding.expiresAt : null;
      const evaluation = await evaluateRequirements(ctx.db, ctx.user.id, version.requirements, Date.now(), expiredAt);
      progress.push({
        slug: version.slug,
        title: version.title,
        description: version.description,
        version: version.version,
        validityMonths: version.validityMonths,
        requiresSignOff: version.requiresSignOff,
        membershipLapse: version.membershipLapse,
        maintenance: version.maintenance,
        held: Boolean(holding && holding.status !== 'expired'),
        ...evaluation,
      });
    }
    const credentials = [];
    for (const view of held) {
      const row = await getCredential(ctx.db, view.id);
      const knowledgeCheck: KnowledgeCheckState = row ? await knowledgeCheckState(ctx.db, row) : { kind: 'none' };
      credentials.push({ ...view, knowledgeCheck });
    }
    return { progress, credentials, registry: await getRegistryPreferences(ctx.db, ctx.user.id) };
  }),

  /**
   * Starts this credential year's knowledge check (or resumes the open one): an attempt drawn on the server,
   * taken at /exams/attempt/<id>. Members only, like every exam.
   */
  startKnowledgeCheck: roleProcedure('member')
    .input(z.object({ credentialId }))
    .mutation(async ({ ctx, input }) =>
      unwrap(await startKnowledgeCheck(ctx.db, ctx.user.id, input.credentialId, ctx.meta)),
    ),

  /** The holder's completed knowledge check: by category, with the chapters to read for weak ones. */
  knowledgeCheckResult: roleProcedure('member')
    .input(z.object({ attemptId: credentialId }))
    .query(async ({ ctx, input }) => unwrap(await knowledgeCheckResult(ctx.db, ctx.user.id, input.attemptId)).result),

  /** Awards the credential now when every requirement is met (the hourly job would too). */
  claim: protectedProcedure
    .input(z.object({ slug: z.string().regex(SLUG_PATTERN, 'No such credential.').max(80) }))
    .mutation(async ({ ctx, input }) => {
      const version = (await listCurrentDefinitions(ctx.db)).find((v) => v.slug === input.slug);
      if (!version) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such credential.' });
      return unwrap(await awardIfEligible(ctx.db, ctx.deps, ctx.user.id, version, ctx.user.id));
    }),

  /** The holder sets their credential inactive, or returns it to active (dates decide the status). */
  setInactive: protectedProcedure
    .input(z.object({ credentialId, inactive: z.boolean() }))
    .mutation(async ({ ctx, input }) =>
      unwrap(await setInactive(ctx.db, ctx.user.id, input.credentialId, input.inactive)),
    ),

  setRegistryPreferences: protectedProcedure
    .input(
      z.object({
        displayName: z.string().trim().min(1, 'Enter the name to show.').max(200, 'A name is at most 200 characters.'),
        noindex: z.boolean(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      if (!isFormOfName(input.displayName, ctx.user.name))
        throw new TRPCError({
          code: 'BAD_REQUEST',
          message: `The registry name must be a form of your account name (${ctx.user.name}), such as your initials and surname.`,
        });
      return setRegistryPreferences(ctx.db, ctx.user.id, input);
    }),

  // Admins: definitions and holders

  listDefinitions: roleProcedure('admin').query(({ ctx }) => listAllDefinitionVersions(ctx.db)),

  /** A new definition, or the next version of an existing slug (holders stay on the version they earned). */
  saveDefinition: roleProcedure('admin')
    .input(
      definitionInputSchema.extend({
        slug: z.string().regex(SLUG_PATTERN, 'A slug is lower-case words joined by hyphens.').max(80),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const { slug, ...definition } = input;
      return unwrap(await saveDefinition(ctx.db, ctx.user.id, slug, definition));
    }),

  listHolders: roleProcedure('admin')
    .input(z.object({ statuses: z.array(z.enum(CREDENTIAL_STATUSES)).max(7).optional() }).optional())
    .query(({ ctx, input }) => listHolders(ctx.db, input?.statuses)),

  adminGet: roleProcedure('admin')
    .input(z.object({ credentialId }))
    .query(async ({ ctx, input }) => {
      const found = await adminCredential(ctx.db, input.credentialId);
      if (!found) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such credential.' });
      return found;
    }),

  suspend: roleProcedure('admin')
    .input(z.object({ credentialId, reasonClass, reason }))
    .mutation(async ({ ctx, input }) =>
      unwrap(
        await suspendCredential(ctx.db, ctx.deps, ctx.user.id, input.credentialId, input.reasonClass, input.reason),
      ),
    ),

  reinstate: roleProcedure('admin')
    .input(z.object({ credentialId, reason }))
    .mutation(async ({ ctx, input }) =>
      unwrap(await reinstateCredential(ctx.db, ctx.deps, ctx.user.id, input.credentialId, input.reason)),
    ),

  revoke: roleProcedure('admin')
    .input(z.object({ credentialId, reasonClass, reason }))
    .mutation(async ({ ctx, input }) =>
      unwrap(
        await revokeCredential(ctx.db, ctx.deps, ctx.user.id, input.credentialId, input.reasonClass, input.reason),
      ),
    ),

  // Examiners: awards waiting for sign-off

  pendingSignOff: roleProcedure('examiner').query(({ ctx }) => listHolders(ctx.db, ['pending-sign-off'])),

  signOff: roleProcedure('examiner')
    .input(z.object({ credentialId }))
    .mutation(async ({ ctx, input }) => unwrap(await signOff(ctx.db, ctx.deps, ctx.user.id, input.credentialId))),

  // Public: the registry

  /** Any text is accepted (it is only ever a bound parameter); longer than 200 characters is cut. */
  registrySearch: publicProcedure
    .input(
      z.object({
        q: z.string().max(20_000).default(''),
        country: z.string().max(200).default(''),
      }),
    )
    .query(({ ctx, input }) =>
      searchRegistry(ctx.db, { q: input.q.slice(0, 200), country: input.country.slice(0, 2) }),
    ),

  /** Checks a pasted or uploaded badge (any text up to 64 kB; larger is refused before it is read). */
  verifyBadge: publicProcedure
    .input(
      z.object({ text: z.string().max(MAX_PRESENTED_BYTES, 'At most 64 kB is read: an IECPA badge is about 3 kB.') }),
    )
    .mutation(({ ctx, input }) => verifyPresented(ctx.db, badgeConfig(ctx.deps), input.text)),

  registryRecord: publicProcedure
    .input(z.object({ number: z.string().max(200) }))
    .query(({ ctx, input }) => registryRecord(ctx.db, input.number)),
});
