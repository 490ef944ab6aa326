import { createHash } from 'node:crypto';
import { eq, inArray } from 'drizzle-orm';
import type { Db } from '#db/client.ts';
import { nextMembershipNumber } from '#db/membership-numbers.ts';
import {
  consents,
  type FieldVisibility,
  type MembershipStatus,
  memberProfiles,
  membershipApplicationEvents,
  membershipApplications,
  membershipDocuments,
  membershipEvents,
  memberships,
  users,
} from '#db/schema/index.ts';
import { DAY_MS } from '#src/lib/dates.ts';
import { CURRENT_ETHICS_VERSION } from '#src/lib/ethics.ts';
import { GRACE_PERIOD_MS, subtractOneCalendarYear } from '#src/lib/membership-rules.ts';
import type { Role } from '#src/lib/roles.ts';
import { hashPassword } from '#src/server/auth/password.ts';
import { newId } from '#src/server/ids.ts';
import { writeDirectoryRow } from '#src/server/services/member-directory.ts';
import { DIRECTORY_CONSENT_VERSION } from '#src/server/services/member-profile.ts';
import { DOCUMENTS_FOLDER } from '#src/server/services/membership-documents.ts';
import { insertUserRecord } from '#src/server/services/user-records.ts';
import { newStoredName, writeStoredFile } from '#src/server/uploads.ts';
import { seedCredentialDemo } from './demo-credentials.ts';
import { demoPdfBytes } from './demo-pdf.ts';
import { seedJournalDemo } from './journal-demo-seed.ts';

/** A demo member's public profile (member_profiles); fields left out are empty and hidden. */
export interface DemoProfile {
  city: string;
  practiceName: string;
  bio: string;
  languages: string[];
  specialties: string[];
  locationVisibility: FieldVisibility;
  /** Bio, languages and specialties share one visibility in the demo. */
  otherVisibility: FieldVisibility;
}

/** A demo membership, dated relative to the day the seed runs so the demo stays current. */
export interface DemoMembership {
  categoryId: string;
  status: Exclude<MembershipStatus, 'pending' | 'resigned'>;
  joinedDaysAgo: number;
  /**
   * Days until the paid-up period ends (negative: ended that long ago); null for lifetime categories. Active
   * members stay more than 30 days from it and grace members less than 30 days past it, so the membership
   * job mails no one when a server starts on a freshly seeded database (e2e tests count the outbox).
   */
  expiresInDays: number | null;
  /** Reason shown for a suspension. */
  statusReason?: string;
  profile?: DemoProfile;
}

/** A submitted application waiting in the admins' queue. */
export interface DemoApplication {
  categoryId: string;
  profession: string;
  licenceNumber: string;
  licenceIssuer: string;
  institution: string;
  yearsEcpPractice: number;
  treatmentsSupervised: number;
  languages: string[];
  submittedDaysAgo: number;
}

export interface DemoAccount {
  email: string;
  name: string;
  roles: Role[];
  /** Base32 TOTP secret for roles that require a second factor (published in the README: demo only). */
  totpSecret?: string;
  /** ISO 3166-1 alpha-2; default GB. */
  country?: string;
  /** Profession code (src/lib/schemas.ts PROFESSIONS); default physician. */
  profession?: string;
  membership?: DemoMembership;
  application?: DemoApplication;
}

export const DEMO_PASSWORD = 'demo-password-2026';

/**
 * The staff demo accounts hold the member role, which the portal gives only to members in good standing
 * (membership-lifecycle.ts syncMemberRole): so they are members too, active and not listed in the directory.
 */
const STAFF_MEMBERSHIP: DemoMembership = {
  categoryId: 'practitioner',
  status: 'active',
  joinedDaysAgo: 400,
  expiresInDays: 330,
};

/**
 * Demo accounts for every role, listed in the README, and demo members: Maria Member is an active,
 * listed practitioner; Arjun Applicant has a submitted application in the admins' queue; the others are
 * members in several countries, categories and statuses, so the directory and the admin dashboard show
 * something. Development and demos only; every account signs in with DEMO_PASSWORD.
 */
export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  {
    email: 'member@iecpa.test',
    name: 'Maria Member',
    roles: ['member'],
    membership: {
      categoryId: 'practitioner',
      status: 'active',
      joinedDaysAgo: 160,
      expiresInDays: 205,
      profile: {
        city: 'London',
        practiceName: 'Thameside Heart Centre (demo)',
        bio: 'Cardiologist running an outpatient ECP service for refractory angina since 2015. Happy to advise centres starting out.',
        languages: ['English', 'Portuguese'],
        specialties: ['Refractory angina', 'Heart failure'],
        locationVisibility: 'public',
        otherVisibility: 'public',
      },
    },
  },
  {
    email: 'educator@iecpa.test',
    name: 'Eduardo Educator',
    roles: ['member', 'educator'],
    membership: STAFF_MEMBERSHIP,
  },
  { email: 'educator2@iecpa.test', name: 'Elif Educator', roles: ['member', 'educator'], membership: STAFF_MEMBERSHIP },
  {
    email: 'examiner@iecpa.test',
    name: 'Emeka Examiner',
    roles: ['member', 'examiner'],
    membership: STAFF_MEMBERSHIP,
    totpSecret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
  },
  {
    email: 'editor@iecpa.test',
    name: 'Edith Editor',
    roles: ['member', 'editor'],
    membership: STAFF_MEMBERSHIP,
    totpSecret: 'KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU',
  },
  { email: 'reviewer@iecpa.test', name: 'Ravi Reviewer', roles: ['member', 'reviewer'], membership: STAFF_MEMBERSHIP },
  {
    email: 'admin@iecpa.test',
    name: 'Ada Admin',
    roles: ['member', 'admin'],
    membership: STAFF_MEMBERSHIP,
    totpSecret: 'MFRGGZDFMZTWQ2LKMFRGGZDFMZTWQ2LK',
  },
  {
    email: 'applicant@iecpa.test',
    name: 'Arjun Applicant',
    roles: [],
    country: 'IN',
    profession: 'nurse',
    application: {
      categoryId: 'practitioner',
      profession: 'nurse',
      licenceNumber: 'DEMO-RN-448812',
      licenceIssuer: 'Tamil Nadu Nurses and Midwives Council (demo)',
      institution: 'Chennai Heart Foundation (demo)',
      yearsEcpPractice: 4,
      treatmentsSupervised: 350,
      languages: ['English', 'Tamil'],
      submittedDaysAgo: 2,
    },
  },
  {
    email: 'li.wei@iecpa.test',
    name: 'Li Wei',
    roles: ['member'],
    country: 'CN',
    membership: {
      categoryId: 'practitioner',
      status: 'active',
      joinedDaysAgo: 700,
      expiresInDays: 45,
      profile: {
        city: 'Guangzhou',
        practiceName: 'Pearl River ECP Clinic (demo)',
        bio: 'ECP since 2009; research on counterpulsation after stroke.',
        languages: ['Mandarin', 'Cantonese', 'English'],
        specialties: ['Stroke rehabilitation'],
        locationVisibility: 'public',
        otherVisibility: 'public',
      },
    },
  },
  {
    email: 'ana.souza@iecpa.test',
    name: 'Ana Souza',
    roles: ['member'],
    country: 'BR',
    profession: 'physiotherapist',
    membership: {
      categoryId: 'practitioner',
      status: 'grace',
      joinedDaysAgo: 400,
      expiresInDays: -10,
      profile: {
        city: 'São Paulo',
        practiceName: 'Clínica Coração Paulista (demo)',
        bio: 'Physiotherapist; ECP within cardiac rehabilitation.',
        languages: ['Portuguese', 'Spanish'],
        specialties: ['Cardiac rehabilitation'],
        locationVisibility: 'public',
        otherVisibility: 'members',
      },
    },
  },
  {
    email: 'hans.becker@iecpa.test',
    name: 'Hans Becker',
    roles: [] /* out of good standing: no member role (membership-lifecycle.ts) */,
    country: 'DE',
    profession: 'technologist',
    membership: {
      categoryId: 'practitioner',
      status: 'lapsed',
      joinedDaysAgo: 800,
      expiresInDays: -70,
      profile: {
        city: 'Munich',
        practiceName: 'Isar Kardiologie (demo)',
        bio: '',
        languages: ['German', 'English'],
        specialties: [],
        locationVisibility: 'public',
        otherVisibility: 'public',
      },
    },
  },
  {
    email: 'priya.raman@iecpa.test',
    name: 'Priya Raman',
    roles: ['member'],
    country: 'IN',
    profession: 'nurse',
    membership: {
      categoryId: 'student',
      status: 'active',
      joinedDaysAgo: 90,
      expiresInDays: 275,
      profile: {
        city: 'Bengaluru',
        practiceName: '',
        bio: 'Nursing student training in ECP under supervision.',
        languages: ['English', 'Kannada', 'Hindi'],
        specialties: [],
        locationVisibility: 'members',
        otherVisibility: 'public',
      },
    },
  },
  {
    email: 'kenji.sato@iecpa.test',
    name: 'Kenji Sato',
    roles: ['member'],
    country: 'JP',
    membership: {
      categoryId: 'founding',
      status: 'active',
      joinedDaysAgo: 1000,
      expiresInDays: null,
      profile: {
        city: 'Osaka',
        practiceName: 'Naniwa Heart Institute (demo)',
        bio: 'Founding member of IECPA.',
        languages: ['Japanese', 'English'],
        specialties: ['Refractory angina', 'Microvascular angina'],
        locationVisibility: 'public',
        otherVisibility: 'public',
      },
    },
  },
  {
    email: 'sofia.rossi@iecpa.test',
    name: 'Sofia Rossi',
    roles: [] /* out of good standing: no member role (membership-lifecycle.ts) */,
    country: 'IT',
    membership: {
      categoryId: 'practitioner',
      status: 'suspended',
      joinedDaysAgo: 500,
      expiresInDays: 120,
      statusReason: 'Demo: professional registration under review.',
      profile: {
        city: 'Milan',
        practiceName: 'Ambulatorio ECP Navigli (demo)',
        bio: '',
        languages: ['Italian'],
        specialties: [],
        locationVisibility: 'public',
        otherVisibility: 'public',
      },
    },
  },
  {
    email: 'daniel.meyer@iecpa.test',
    name: 'Daniel Meyer',
    roles: ['member'],
    country: 'US',
    profession: 'industry',
    membership: { categoryId: 'honorary', status: 'active', joinedDaysAgo: 200, expiresInDays: 165 },
  },
  {
    email: 'gwen.morgan@iecpa.test',
    name: 'Gwen Morgan',
    roles: ['member'],
    country: 'GB',
    profession: 'nurse',
    membership: {
      categoryId: 'institutional',
      status: 'active',
      joinedDaysAgo: 250,
      expiresInDays: 115,
      profile: {
        city: 'Cardiff',
        practiceName: 'Taff Valley ECP Service (demo)',
        bio: 'Nurse lead of an NHS ECP service.',
        languages: ['English', 'Welsh'],
        specialties: ['Refractory angina'],
        locationVisibility: 'public',
        otherVisibility: 'public',
      },
    },
  },
  // Holds "IECPA Certified ECP Practitioner — Level 1" (scripts/demo-credentials.ts): the registry's demo.
  {
    email: 'certified@iecpa.test',
    name: 'Carla Certified',
    roles: ['member'],
    country: 'NL',
    membership: { categoryId: 'practitioner', status: 'active', joinedDaysAgo: 700, expiresInDays: 300 },
  },
  {
    email: 'translator@iecpa.test',
    name: 'Tatiana Translator',
    roles: ['member', 'translator'],
    country: 'RU',
    membership: STAFF_MEMBERSHIP,
  },
];

export interface SeedOptions {
  production: boolean;
  now?: number;
  /** Where the demo application's document is stored (UPLOAD_DIR); without it the application has none. */
  uploadDir?: string;
}

export interface SeedReport {
  /** Demo accounts created (0 when they all existed). */
  created: number;
  /** Demo memberships and applications created for accounts that had none. */
  memberships: number;
  applications: number;
}

interface DemoEvent {
  at: number;
  kind: string;
  fromStatus: MembershipStatus | null;
  toStatus: MembershipStatus;
  reason: string | null;
}

/** Seeds a demo membership (and profile) for a user who has no membership yet. True when it wrote one. */
async function seedMembership(
  db: Db,
  userId: string,
  account: DemoAccount,
  demo: DemoMembership,
  now: number,
): Promise<boolean> {
  const has = await db.select({ id: memberships.userId }).from(memberships).where(eq(memberships.userId, userId));
  if (has[0]) return false;
  const joinedAt = now - demo.joinedDaysAgo * DAY_MS;
  const expiresAt = demo.expiresInDays === null ? null : now + demo.expiresInDays * DAY_MS;
  const periodStartsAt = expiresAt === null ? joinedAt : Math.max(joinedAt, subtractOneCalendarYear(expiresAt));
  const statusChangedAt =
    demo.status === 'grace' && expiresAt !== null
      ? expiresAt
      : demo.status === 'lapsed' && expiresAt !== null
        ? expiresAt + GRACE_PERIOD_MS
        : demo.status === 'suspended'
          ? now - 7 * DAY_MS
          : joinedAt;
  await db.transaction(async (tx) => {
    const number = await nextMembershipNumber(tx, new Date(joinedAt).getUTCFullYear());
    await tx.insert(memberships).values({
      userId,
      categoryId: demo.categoryId,
      number,
      status: demo.status,
      joinedAt,
      currentPeriodStartsAt: periodStartsAt,
      expiresAt,
      statusChangedAt,
      statusReason: demo.statusReason ?? null,
    });
    const events: DemoEvent[] = [
      { at: joinedAt - DAY_MS, kind: 'applied', fromStatus: null, toStatus: 'pending', reason: null },
      { at: joinedAt, kind: 'approved', fromStatus: 'pending', toStatus: 'active', reason: null },
    ];
    if (demo.status !== 'active') {
      const fromStatus = demo.status === 'lapsed' ? 'grace' : 'active';
      events.push({
        at: statusChangedAt,
        kind: demo.status,
        fromStatus,
        toStatus: demo.status,
        reason: demo.statusReason ?? null,
      });
    }
    await tx.insert(membershipEvents).values(events.map((e) => ({ id: newId(), userId, actorId: null, ...e })));
    const profile = demo.profile;
    if (profile) {
      await tx
        .insert(memberProfiles)
        .values({
          userId,
          bio: profile.bio,
          bioVisibility: profile.otherVisibility,
          practiceName: profile.practiceName,
          city: profile.city,
          country: account.country ?? 'GB',
          locationVisibility: profile.locationVisibility,
          languagesJson: JSON.stringify(profile.languages),
          languagesVisibility: profile.otherVisibility,
          specialtiesJson: JSON.stringify(profile.specialties),
          specialtiesVisibility: profile.otherVisibility,
          photoStoredName: null,
          photoMimeType: null,
          photoVisibility: 'hidden',
          listed: true,
          updatedAt: joinedAt,
        })
        .onConflictDoNothing();
      await tx.insert(consents).values({
        id: newId(),
        userId,
        document: 'directory-listing',
        version: DIRECTORY_CONSENT_VERSION,
        acceptedAt: joinedAt,
      });
    }
  });
  if (demo.profile) await writeDirectoryRow(db, userId);
  return true;
}

/** Seeds a submitted application (and its pending membership) for a user with no application yet. */
async function seedApplication(
  db: Db,
  userId: string,
  account: DemoAccount,
  demo: DemoApplication,
  options: SeedOptions,
  now: number,
): Promise<boolean> {
  const has = await db
    .select({ id: membershipApplications.id })
    .from(membershipApplications)
    .where(eq(membershipApplications.userId, userId));
  if (has[0]) return false;
  const submittedAt = now - demo.submittedDaysAgo * DAY_MS;
  const pdf = options.uploadDir ? demoPdfBytes() : null;
  const storedName = pdf && options.uploadDir ? newStoredName() : null;
  if (pdf && storedName && options.uploadDir)
    await writeStoredFile(options.uploadDir, DOCUMENTS_FOLDER, storedName, pdf);
  await db.transaction(async (tx) => {
    const applicationId = newId();
    await tx.insert(membershipApplications).values({
      id: applicationId,
      userId,
      categoryId: demo.categoryId,
      status: 'submitted',
      profession: demo.profession,
      licenceNumber: demo.licenceNumber,
      licenceIssuer: demo.licenceIssuer,
      institution: demo.institution,
      country: account.country ?? 'GB',
      yearsEcpPractice: demo.yearsEcpPractice,
      treatmentsSupervised: demo.treatmentsSupervised,
      languagesJson: JSON.stringify(demo.languages),
      ethicsVersion: CURRENT_ETHICS_VERSION,
      ethicsAcceptedAt: submittedAt,
      createdAt: submittedAt - DAY_MS,
      updatedAt: submittedAt,
      submittedAt,
      decidedAt: null,
      decidedBy: null,
      decisionReason: null,
    });
    await tx.insert(membershipApplicationEvents).values({
      id: newId(),
      applicationId,
      at: submittedAt,
      actorId: userId,
      kind: 'submitted',
      message: '',
    });
    if (pdf && storedName) {
      await tx.insert(membershipDocuments).values({
        id: newId(),
        applicationId,
        userId,
        originalName: 'licence-copy.pdf',
        storedName,
        mimeType: 'application/pdf',
        sizeBytes: pdf.byteLength,
        sha256: createHash('sha256').update(pdf).digest('hex'),
        uploadedAt: submittedAt - DAY_MS,
      });
    }
    const pending = await tx
      .insert(memberships)
      .values({
        userId,
        categoryId: demo.categoryId,
        number: null,
        status: 'pending',
        joinedAt: null,
        currentPeriodStartsAt: null,
        expiresAt: null,
        statusChangedAt: submittedAt,
        statusReason: null,
      })
      .onConflictDoNothing()
      .returning({ userId: memberships.userId });
    if (pending.length > 0) {
      await tx.insert(membershipEvents).values({
        id: newId(),
        userId,
        at: submittedAt,
        actorId: userId,
        kind: 'applied',
        fromStatus: null,
        toStatus: 'pending',
        reason: null,
      });
    }
  });
  return true;
}

/**
 * Creates the demo accounts that do not exist yet, then the demo memberships and applications of accounts
 * that have none (so an older demo database gains them too, and one an admin has since changed keeps its
 * changes). Idempotent; refuses in production.
 */
export async function seedDemo(db: Db, options: SeedOptions): Promise<SeedReport> {
  if (options.production) throw new Error('Refusing to seed demo accounts when NODE_ENV=production.');
  const now = options.now ?? Date.now();
  const report: SeedReport = { created: 0, memberships: 0, applications: 0 };
  let passwordHash: string | null = null;
  for (const account of DEMO_ACCOUNTS) {
    const existing = await db.select({ id: users.id }).from(users).where(eq(users.email, account.email)).limit(1);
    let id = existing[0]?.id;
    if (!id) {
      passwordHash ??= await hashPassword(DEMO_PASSWORD);
      const record = {
        email: account.email,
        name: account.name,
        country: account.country ?? 'GB',
        profession: account.profession ?? 'physician',
        passwordHash,
        emailVerifiedAt: now,
        roles: account.roles,
        totpSecret: account.totpSecret ?? null,
      };
      id = await insertUserRecord(db, record, now);
      report.created++;
    }
    if (account.membership && (await seedMembership(db, id, account, account.membership, now))) report.memberships++;
    if (account.application && (await seedApplication(db, id, account, account.application, options, now))) {
      report.applications++;
    }
  }
  await seedCredentialDemo(db, (await demoUserIds(db)).get('examiner@iecpa.test'), now);
  await seedJournalDemo(db, { now, uploadDir: options.uploadDir });
  return report;
}

/** The demo accounts' user ids by email (for tests and scripts that look at seeded rows). */
export async function demoUserIds(db: Db): Promise<Map<string, string>> {
  const emails = DEMO_ACCOUNTS.map((a) => a.email);
  const rows = await db.select({ id: users.id, email: users.email }).from(users).where(inArray(users.email, emails));
  return new Map(rows.map((r) => [r.email, r.id]));
}
