import { resolve } from 'node:path';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { getEnv } from '../../env.ts';
import { unwrap } from '../../refusal.ts';
import * as schemas from '../../services/membership-application-schemas.ts';
import * as applications from '../../services/membership-applications.ts';
import * as categories from '../../services/membership-categories.ts';
import * as documents from '../../services/membership-documents.ts';
import { protectedProcedure, publicProcedure, roleProcedure, router } from '../trpc.ts';

const adminProcedure = roleProcedure('admin');
const idField = z.string().min(1).max(64);

/** Where uploaded files live (outside the web root); read per call so tests can point it elsewhere. */
function uploadDir(): string {
  return resolve(getEnv().UPLOAD_DIR);
}

/** The uploaded file of a multipart form (field `file`), or null when none was chosen. */
async function fileFrom(form: FormData): Promise<{ bytes: Uint8Array; name: string } | null> {
  const file = form.get('file');
  if (!(file instanceof File)) return null;
  if (file.size === 0 && file.name === '') return null;
  return { bytes: new Uint8Array(await file.arrayBuffer()), name: file.name };
}

export const applicationsRouter = router({
  /** Categories open to applications, in display order (the public /membership page). */
  categories: publicProcedure.query(({ ctx }) => categories.listCategories(ctx.db)),

  /** Every category, archived ones included (the admin page). */
  allCategories: adminProcedure.query(({ ctx }) => categories.listCategories(ctx.db, { includeArchived: true })),

  updateCategory: adminProcedure.input(categories.categoryUpdateInput).mutation(async ({ ctx, input }) => {
    return unwrap(await categories.updateCategory(ctx.db, ctx.user.id, input, ctx.meta)).category;
  }),

  /** The signed-in user's open application, else their latest, else null. */
  mine: protectedProcedure.query(({ ctx }) => applications.getMyApplication(ctx.db, ctx.user.id)),

  /** The profession and country from the user's registration, to start a new application with. */
  startingValues: protectedProcedure.query(({ ctx }) => applications.applicationStartingValues(ctx.db, ctx.user.id)),

  saveDraft: protectedProcedure.input(schemas.applicationDraftInput).mutation(async ({ ctx, input }) => {
    return unwrap(await applications.saveDraft(ctx.db, ctx.user.id, input, ctx.meta)).application;
  }),

  /** Multipart form data with one `file`: added to the user's draft or information-requested application. */
  uploadDocument: protectedProcedure.input(z.instanceof(FormData)).mutation(async ({ ctx, input }) => {
    const file = await fileFrom(input);
    return unwrap(await documents.addDocument(ctx.db, uploadDir(), ctx.user.id, file, ctx.meta)).document;
  }),

  deleteDocument: protectedProcedure.input(z.object({ documentId: idField })).mutation(async ({ ctx, input }) => {
    return unwrap(await documents.removeDocument(ctx.db, uploadDir(), ctx.user.id, input.documentId, ctx.meta));
  }),

  submit: protectedProcedure.mutation(async ({ ctx }) => {
    return unwrap(await applications.submitApplication(ctx.db, ctx.deps, ctx.user.id, ctx.meta)).application;
  }),

  reply: protectedProcedure.input(schemas.replyInput).mutation(async ({ ctx, input }) => {
    return unwrap(await applications.replyToReviewers(ctx.db, ctx.deps, ctx.user.id, input, ctx.meta)).application;
  }),

  withdraw: protectedProcedure.mutation(async ({ ctx }) => {
    return unwrap(await applications.withdrawApplication(ctx.db, ctx.deps, ctx.user.id, ctx.meta)).application;
  }),

  queue: adminProcedure
    .input(
      z.object({
        status: z.enum(applications.QUEUE_STATUSES).default('submitted'),
        page: z.coerce.number().int().min(1).max(100_000).default(1),
      }),
    )
    .query(({ ctx, input }) => applications.listQueue(ctx.db, input)),

  get: adminProcedure.input(z.object({ applicationId: idField })).query(async ({ ctx, input }) => {
    const details = await applications.getApplicationForReview(ctx.db, input.applicationId);
    if (!details) throw new TRPCError({ code: 'NOT_FOUND', message: 'That application does not exist.' });
    return details;
  }),

  approve: adminProcedure.input(schemas.decisionInput).mutation(async ({ ctx, input }) => {
    const result = unwrap(await applications.approveApplication(ctx.db, ctx.deps, ctx.user.id, input, ctx.meta));
    return { application: result.application, number: result.number };
  }),

  reject: adminProcedure.input(schemas.rejectInput).mutation(async ({ ctx, input }) => {
    return unwrap(await applications.rejectApplication(ctx.db, ctx.deps, ctx.user.id, input, ctx.meta)).application;
  }),

  requestInfo: adminProcedure.input(schemas.requestInfoInput).mutation(async ({ ctx, input }) => {
    return unwrap(await applications.requestMoreInformation(ctx.db, ctx.deps, ctx.user.id, input, ctx.meta))
      .application;
  }),
});
