/**
 * A member's own directory profile: reading and saving it (fields, per-field visibility, photo) and the
 * directory opt-in, whose consent is recorded with its version. Only users with a membership row have a
 * profile; whether it is shown is the directory's business (member-directory.ts).
 */
import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '#db/client.ts';
import {
  consents,
  type FieldVisibility,
  type MembershipStatus,
  memberProfiles,
  membershipApplications,
  membershipCategories,
  memberships,
  users,
} from '#db/schema/index.ts';
import { IN_GOOD_STANDING } from '#src/lib/membership-rules.ts';
import type { MemberProfileFields } from '#src/lib/schemas.ts';
import { writeAudit } from '../audit.ts';
import { newId } from '../ids.ts';
import { type Refusal, refuse } from '../refusal.ts';
import { checkUpload, deleteStoredFile, newStoredName, writeStoredFile } from '../uploads.ts';
import { parseList, photoUrl, writeDirectoryRow } from './member-directory.ts';

/** Folder under UPLOAD_DIR for member photos (names are generated; see uploads.ts). */
export const PHOTO_FOLDER = 'member-photos';

/** Largest photo accepted: under the 1 MiB request limit (MAX_BODY_BYTES) with room for the other fields. */
export const MAX_PHOTO_BYTES = 750 * 1024;

/**
 * Version of the directory listing terms a member agrees to by opting in. Change it (and the text below)
 * when the terms change: members then consent again on their next save while listed.
 */
export const DIRECTORY_CONSENT_VERSION = '1.0';

/** The listing terms shown next to the opt-in, for version DIRECTORY_CONSENT_VERSION. */
export const DIRECTORY_CONSENT_TEXT =
  'List me in the IECPA directory. My name and membership category are shown to members, and to the public ' +
  'when I am a practitioner; other fields are shown as I choose below. I can withdraw at any time and my ' +
  'listing is removed at once.';

export interface OwnProfile {
  bio: string;
  bioVisibility: FieldVisibility;
  practiceName: string;
  city: string;
  country: string;
  locationVisibility: FieldVisibility;
  languages: string[];
  languagesVisibility: FieldVisibility;
  specialties: string[];
  specialtiesVisibility: FieldVisibility;
  photoUrl: string | null;
  photoVisibility: FieldVisibility;
  listed: boolean;
  updatedAt: number | null;
}

export interface OwnProfileView {
  /** Null: the user has no membership, so no profile (the page points them to /membership). */
  membership: { status: MembershipStatus; categoryName: string; inGoodStanding: boolean } | null;
  /** The saved profile, or the starting values for a first save. */
  profile: OwnProfile;
  /** Whether a profile has been saved before. */
  saved: boolean;
  /** Version of the listing terms last agreed to, if any. */
  consentVersion: string | null;
}

/** The member's profile for editing, with defaults (their registration country, members-only fields). */
export async function getOwnProfile(db: Db, userId: string): Promise<OwnProfileView> {
  const membershipRows = await db
    .select({ status: memberships.status, categoryName: membershipCategories.name })
    .from(memberships)
    .innerJoin(membershipCategories, eq(membershipCategories.id, memberships.categoryId))
    .where(eq(memberships.userId, userId))
    .limit(1);
  const membershipRow = membershipRows[0];
  const [profileRow] = await db.select().from(memberProfiles).where(eq(memberProfiles.userId, userId)).limit(1);
  const [user] = await db.select({ country: users.country }).from(users).where(eq(users.id, userId)).limit(1);
  const [consent] = await db
    .select({ version: consents.version })
    .from(consents)
    .where(and(eq(consents.userId, userId), eq(consents.document, 'directory-listing')))
    .orderBy(desc(consents.acceptedAt))
    .limit(1);
  // A member's first profile starts from their approved application: the institution they practise at and the
  // languages they work in, so nobody types them twice.
  const [application] = profileRow
    ? []
    : await db
        .select({
          institution: membershipApplications.institution,
          languagesJson: membershipApplications.languagesJson,
        })
        .from(membershipApplications)
        .where(and(eq(membershipApplications.userId, userId), eq(membershipApplications.status, 'approved')))
        .orderBy(desc(membershipApplications.decidedAt))
        .limit(1);
  const profile: OwnProfile = profileRow
    ? {
        bio: profileRow.bio,
        bioVisibility: profileRow.bioVisibility,
        practiceName: profileRow.practiceName,
        city: profileRow.city,
        country: profileRow.country,
        locationVisibility: profileRow.locationVisibility,
        languages: parseList(profileRow.languagesJson),
        languagesVisibility: profileRow.languagesVisibility,
        specialties: parseList(profileRow.specialtiesJson),
        specialtiesVisibility: profileRow.specialtiesVisibility,
        photoUrl: profileRow.photoStoredName ? photoUrl(userId, profileRow.updatedAt) : null,
        photoVisibility: profileRow.photoVisibility,
        listed: profileRow.listed,
        updatedAt: profileRow.updatedAt,
      }
    : {
        bio: '',
        bioVisibility: 'members',
        practiceName: application?.institution ?? '',
        city: '',
        country: user?.country ?? '',
        locationVisibility: 'members',
        languages: application ? parseList(application.languagesJson) : [],
        languagesVisibility: 'members',
        specialties: [],
        specialtiesVisibility: 'members',
        photoUrl: null,
        photoVisibility: 'members',
        listed: false,
        updatedAt: null,
      };
  return {
    membership: membershipRow
      ? { ...membershipRow, inGoodStanding: IN_GOOD_STANDING.includes(membershipRow.status) }
      : null,
    profile,
    saved: Boolean(profileRow),
    consentVersion: consent?.version ?? null,
  };
}

export interface PhotoUpload {
  bytes: Uint8Array;
  fileName: string;
}

export type SaveProfileResult = { ok: true; listed: boolean } | Refusal;

const PHOTO_REFUSALS = {
  empty: 'The photo file is empty. Choose a JPEG or PNG image.',
  'too-large': `The photo is larger than ${MAX_PHOTO_BYTES / 1024} KiB. Make it smaller and try again.`,
  'wrong-type': 'The photo must be a JPEG or PNG image.',
  'extension-mismatch':
    'The file name does not match the image inside it: name JPEG files .jpg or .jpeg, PNG files .png.',
} as const;

/** Why a photo upload is refused (a message for the form), or null when it is a JPEG or PNG within the limit. */
export function photoRefusal(photo: PhotoUpload): string | null {
  const checked = checkUpload(photo.bytes, photo.fileName, { allowed: ['jpeg', 'png'], maxBytes: MAX_PHOTO_BYTES });
  return checked.ok ? null : PHOTO_REFUSALS[checked.reason];
}

/**
 * Saves the member's profile. The photo, when given, is checked before anything is written and stored
 * under a generated name; the old one is removed after the save. Opting in records consent to the current
 * listing terms (once per version); opting out takes the listing down at once (the directory reads
 * `listed` on every query). Audited.
 */
export async function saveOwnProfile(
  db: Db,
  uploadDir: string,
  input: { userId: string; fields: MemberProfileFields; photo: PhotoUpload | null; ipAddress: string | null },
  now = Date.now(),
): Promise<SaveProfileResult> {
  const { userId, fields } = input;
  const checked = input.photo
    ? checkUpload(input.photo.bytes, input.photo.fileName, { allowed: ['jpeg', 'png'], maxBytes: MAX_PHOTO_BYTES })
    : null;
  if (checked && !checked.ok) {
    const message = PHOTO_REFUSALS[checked.reason];
    return refuse('BAD_REQUEST', message, { photo: message });
  }
  const [membership] = await db
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(eq(memberships.userId, userId))
    .limit(1);
  if (!membership) return refuse('FORBIDDEN', 'Only members have a directory profile. Apply for membership first.');

  const newPhoto =
    checked?.ok && input.photo ? { storedName: newStoredName(), contentType: checked.contentType } : null;
  if (newPhoto && input.photo) await writeStoredFile(uploadDir, PHOTO_FOLDER, newPhoto.storedName, input.photo.bytes);
  let oldPhoto: string | null;
  try {
    oldPhoto = await db.transaction(async (tx) => {
      const [before] = await tx
        .select({ listed: memberProfiles.listed, photoStoredName: memberProfiles.photoStoredName })
        .from(memberProfiles)
        .where(eq(memberProfiles.userId, userId))
        .limit(1);
      const values = {
        bio: fields.bio,
        bioVisibility: fields.bioVisibility,
        practiceName: fields.practiceName,
        city: fields.city,
        country: fields.country,
        locationVisibility: fields.locationVisibility,
        languagesJson: JSON.stringify(fields.languages),
        languagesVisibility: fields.languagesVisibility,
        specialtiesJson: JSON.stringify(fields.specialties),
        specialtiesVisibility: fields.specialtiesVisibility,
        photoVisibility: fields.photoVisibility,
        listed: fields.listed,
        updatedAt: now,
        ...(newPhoto ? { photoStoredName: newPhoto.storedName, photoMimeType: newPhoto.contentType } : {}),
      };
      if (before) await tx.update(memberProfiles).set(values).where(eq(memberProfiles.userId, userId));
      else await tx.insert(memberProfiles).values({ userId, photoStoredName: null, photoMimeType: null, ...values });

      const wasListed = before?.listed ?? false;
      if (fields.listed) {
        const [consent] = await tx
          .select({ version: consents.version })
          .from(consents)
          .where(and(eq(consents.userId, userId), eq(consents.document, 'directory-listing')))
          .orderBy(desc(consents.acceptedAt))
          .limit(1);
        // A new consent row when opting in again after withdrawing, or when the terms have a new version.
        if (!wasListed || consent?.version !== DIRECTORY_CONSENT_VERSION) {
          await tx.insert(consents).values({
            id: newId(),
            userId,
            document: 'directory-listing',
            version: DIRECTORY_CONSENT_VERSION,
            acceptedAt: now,
          });
        }
      }
      await writeDirectoryRow(tx, userId);
      const audit = { actorId: userId, subjectId: userId, ipAddress: input.ipAddress };
      await writeAudit(
        tx,
        {
          ...audit,
          action: 'directory.profile-saved',
          details: {
            visibility: {
              bio: fields.bioVisibility,
              location: fields.locationVisibility,
              languages: fields.languagesVisibility,
              specialties: fields.specialtiesVisibility,
              photo: fields.photoVisibility,
            },
            photoReplaced: Boolean(newPhoto),
          },
        },
        now,
      );
      if (fields.listed && !wasListed) {
        await writeAudit(
          tx,
          { ...audit, action: 'directory.listing-consented', details: { version: DIRECTORY_CONSENT_VERSION } },
          now,
        );
      }
      if (!fields.listed && wasListed) {
        await writeAudit(tx, { ...audit, action: 'directory.listing-withdrawn' }, now);
      }
      return newPhoto ? (before?.photoStoredName ?? null) : null;
    });
  } catch (error) {
    if (newPhoto) await deleteStoredFile(uploadDir, PHOTO_FOLDER, newPhoto.storedName);
    throw error;
  }
  if (oldPhoto) await deleteStoredFile(uploadDir, PHOTO_FOLDER, oldPhoto);
  return { ok: true, listed: fields.listed };
}

/** Removes the member's photo (row and file); refused when there was none. Audited. */
export async function removeOwnPhoto(
  db: Db,
  uploadDir: string,
  input: { userId: string; ipAddress: string | null },
  now = Date.now(),
): Promise<{ ok: true } | Refusal> {
  const removed = await db.transaction(async (tx) => {
    const [row] = await tx
      .select({ storedName: memberProfiles.photoStoredName })
      .from(memberProfiles)
      .where(eq(memberProfiles.userId, input.userId))
      .limit(1);
    if (!row?.storedName) return null;
    await tx
      .update(memberProfiles)
      .set({ photoStoredName: null, photoMimeType: null, updatedAt: now })
      .where(eq(memberProfiles.userId, input.userId));
    await writeAudit(
      tx,
      { actorId: input.userId, subjectId: input.userId, ipAddress: input.ipAddress, action: 'directory.photo-removed' },
      now,
    );
    return row.storedName;
  });
  if (!removed) return refuse('NOT_FOUND', 'Your profile has no photo to remove.');
  await deleteStoredFile(uploadDir, PHOTO_FOLDER, removed);
  return { ok: true };
}
