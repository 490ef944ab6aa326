import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { directorySearchInput, memberProfileFields } from '#src/lib/schemas.ts';
import { getEnv } from '../../env.ts';
import { unwrap } from '../../refusal.ts';
import * as directory from '../../services/member-directory.ts';
import * as profile from '../../services/member-profile.ts';
import { type Context, protectedProcedure, publicProcedure, router } from '../trpc.ts';

const userIdInput = z.object({ userId: z.string().min(1).max(64) });

/**
 * The photo travels as bytes: pages pass the uploaded file's bytes through the server-side caller (a photo
 * as JSON would not fit the 1 MiB request limit anyway).
 */
const saveProfileInput = memberProfileFields.extend({
  photo: z
    .object({
      bytes: z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'Choose a photo file.'),
      fileName: z.string().max(255),
    })
    .nullable()
    .default(null)
    // Checked with the other fields, so a refused save lists every problem at once (the service checks again).
    .superRefine((photo, ctx) => {
      const refusal = photo ? profile.photoRefusal(photo) : null;
      if (refusal) ctx.addIssue({ code: 'custom', message: refusal });
    }),
});

/** The viewer of a public procedure: a session still owing its second factor counts as a visitor. */
function viewerOf(ctx: Context): Promise<directory.DirectoryViewer> {
  const signedIn = ctx.user && ctx.session?.twoFactorVerified ? ctx.user : null;
  return directory.resolveViewer(ctx.db, signedIn);
}

/** Signed in, and a member in good standing or an admin: who may use the members' directory. */
const directoryMemberProcedure = protectedProcedure.use(async ({ ctx, next }) => {
  const viewer = await directory.resolveViewer(ctx.db, ctx.user);
  if (viewer.audience === 'public') {
    throw new TRPCError({
      code: 'FORBIDDEN',
      message: 'The members’ directory is for members in good standing. Anyone can use Find a practitioner.',
    });
  }
  return next({ ctx: { ...ctx, viewer } });
});

function profileNotFound(): TRPCError {
  return new TRPCError({ code: 'NOT_FOUND', message: 'That member is not in the directory.' });
}

export const directoryRouter = router({
  /** The signed-in user's own profile for editing (with their membership, or null without one). */
  myProfile: protectedProcedure.query(({ ctx }) => profile.getOwnProfile(ctx.db, ctx.user.id)),

  saveProfile: protectedProcedure.input(saveProfileInput).mutation(async ({ ctx, input }) => {
    const { photo, ...fields } = input;
    const result = await profile.saveOwnProfile(ctx.db, getEnv().UPLOAD_DIR, {
      userId: ctx.user.id,
      fields,
      photo,
      ipAddress: ctx.meta.ipAddress,
    });
    return unwrap(result);
  }),

  removePhoto: protectedProcedure.mutation(async ({ ctx }) => {
    unwrap(
      await profile.removeOwnPhoto(ctx.db, getEnv().UPLOAD_DIR, { userId: ctx.user.id, ipAddress: ctx.meta.ipAddress }),
    );
    return { removed: true };
  }),

  /** The public practitioner search: public fields only, whoever asks. */
  search: publicProcedure
    .input(directorySearchInput)
    .query(async ({ ctx, input }) => directory.searchDirectory(ctx.db, await viewerOf(ctx), 'public', input)),

  /** A practitioner's public profile. */
  getProfile: publicProcedure.input(userIdInput).query(async ({ ctx, input }) => {
    const found = await directory.getDirectoryProfile(ctx.db, await viewerOf(ctx), 'public', input.userId);
    if (!found) throw profileNotFound();
    return found;
  }),

  /** The members' directory: members-only fields for members, every field for admins. */
  memberSearch: directoryMemberProcedure
    .input(directorySearchInput)
    .query(({ ctx, input }) => directory.searchDirectory(ctx.db, ctx.viewer, 'members', input)),

  getMemberProfile: directoryMemberProcedure.input(userIdInput).query(async ({ ctx, input }) => {
    const found = await directory.getDirectoryProfile(ctx.db, ctx.viewer, 'members', input.userId);
    if (!found) throw profileNotFound();
    return found;
  }),
});
