/**
 * What each signed-in person should do next, by what they are (applicant, member) and the roles they hold
 * (educator, examiner, administrator): the landing page after sign-in (/dashboard) and the administrators'
 * overview (/admin). Reads only; every step links to the page where the work is done.
 */
import { and, count, desc, eq, gte, isNull, lte, ne } from 'drizzle-orm';
import type { Db } from '#db/client.ts';
import {
  accountClosureRequests,
  contactMessages,
  curriculumLevels,
  handbookRevisions,
  mailOutbox,
  membershipApplications,
  membershipEvents,
  memberships,
  scheduledJobRuns,
  simulatorAssessments,
  simulatorAttempts,
} from '#db/schema/index.ts';
import { hasMembersAccess } from '#src/lib/access.ts';
import { DAY_MS, formatLongDate } from '#src/lib/dates.ts';
import { checkRenewal } from '#src/lib/membership-rules.ts';
import { ROLES_REQUIRING_TOTP } from '#src/lib/roles.ts';
import type { SessionUser } from '../auth/session.ts';
import { getLevelProgress } from './handbook-progress.ts';
import { describeJobResult } from './job-summary.ts';
import { getMembershipSummary } from './membership-lifecycle.ts';

/** One thing to do, with the page where it is done. `urgent` steps are shown first and marked. */
export interface NextStep {
  id: string;
  title: string;
  text: string;
  href: string;
  linkLabel: string;
  urgent?: boolean;
}

/** How far back the examiners' list of recent attempts looks. */
export const RECENT_ATTEMPTS_DAYS = 7;
/** How far ahead the administrators' list of renewals due looks. */
export const RENEWALS_DUE_DAYS = 30;

async function countOf(query: Promise<{ n: number }[]>): Promise<number> {
  return (await query)[0]?.n ?? 0;
}

async function membershipSteps(db: Db, user: SessionUser, now: number): Promise<NextStep[]> {
  const membership = await getMembershipSummary(db, user.id);
  // A pending membership is an application not yet decided: its steps follow the application.
  if (membership && membership.status !== 'resigned' && membership.status !== 'pending') {
    const renewal = checkRenewal(membership, now);
    const expires = membership.expiresAt === null ? '' : formatLongDate(membership.expiresAt);
    switch (membership.status) {
      case 'grace':
        return [
          {
            id: 'membership-grace',
            title: 'Renew your membership now',
            text: `Your membership expired on ${expires}. It stays in good standing for a short grace period only.`,
            href: '/membership/status',
            linkLabel: 'Renew my membership',
            urgent: true,
          },
        ];
      case 'lapsed':
        return [
          {
            id: 'membership-lapsed',
            title: 'Your membership has lapsed',
            text: 'Renew it to regain members’ access to the handbook, the curriculum and the directory.',
            href: '/membership/status',
            linkLabel: 'My membership',
            urgent: true,
          },
        ];
      case 'suspended':
        return [
          {
            id: 'membership-suspended',
            title: 'Your membership is suspended',
            text: 'My membership shows the reason the association gave and how to contact us about it.',
            href: '/membership/status',
            linkLabel: 'My membership',
            urgent: true,
          },
        ];
      default:
        return renewal.allowed
          ? [
              {
                id: 'membership-renew',
                title: 'Renew your membership',
                text: `Your membership runs until ${expires}. You can renew it now; the new year continues from that date.`,
                href: '/membership/status',
                linkLabel: 'Renew my membership',
              },
            ]
          : [];
    }
  }
  const [application] = await db
    .select({ status: membershipApplications.status })
    .from(membershipApplications)
    .where(eq(membershipApplications.userId, user.id))
    .orderBy(desc(membershipApplications.createdAt))
    .limit(1);
  switch (application?.status) {
    case 'draft':
      return [
        {
          id: 'application-draft',
          title: 'Finish your membership application',
          text: 'Your draft is saved. Add what is missing and send it to the association’s reviewers.',
          href: '/membership/apply',
          linkLabel: 'Continue my application',
        },
      ];
    case 'submitted':
      return [
        {
          id: 'application-submitted',
          title: 'Your application is with the reviewers',
          text: 'We write to you when it is decided, or if the reviewers need more information.',
          href: '/membership/application',
          linkLabel: 'See my application',
        },
      ];
    case 'info-requested':
      return [
        {
          id: 'application-info-requested',
          title: 'The reviewers asked you for more information',
          text: 'Answer them in your application’s conversation; the review continues when you reply.',
          href: '/membership/application',
          linkLabel: 'Answer the reviewers',
          urgent: true,
        },
      ];
    case 'rejected':
      return [
        {
          id: 'application-rejected',
          title: 'Your application was not approved',
          text: 'Your application page gives the reviewers’ reason. You may apply again when you can meet it.',
          href: '/membership/application',
          linkLabel: 'See my application',
        },
      ];
    default:
      return [
        {
          id: 'apply',
          title: 'Apply for membership',
          text: 'Membership gives you the full handbook and curriculum, the simulator’s assessments, CPD records and a place in the directory of practitioners. The application takes about ten minutes; have your professional licence at hand.',
          href: '/membership/apply',
          linkLabel: 'Apply for membership',
        },
      ];
  }
}

async function curriculumSteps(db: Db, user: SessionUser, now: number): Promise<NextStep[]> {
  const [level] = await db.select().from(curriculumLevels).where(eq(curriculumLevels.level, 1));
  if (!level) return [];
  const progress = await getLevelProgress(db, user.id, level.level, now);
  if (progress.modules.length === 0) return [];
  if (progress.complete) {
    return [
      {
        id: 'curriculum-complete',
        title: `${level.title} completed`,
        text: 'Your level certificate is ready to download from the curriculum page.',
        href: `/curriculum/${level.slug}`,
        linkLabel: `Open ${level.title}`,
      },
    ];
  }
  const next = progress.modules.find((m) => m.completedAt === null);
  if (!next) return [];
  const started = progress.completedCount > 0 || progress.modules.some((m) => m.reading.some((r) => r.done));
  return [
    {
      id: 'curriculum-next',
      title: started ? `Continue ${level.title}: ${next.title}` : `Start ${level.title}: ${next.title}`,
      text: `${progress.completedCount} of ${progress.modules.length} modules completed. Each module is reading, a short quiz and, in some, a simulator exercise.`,
      href: `/curriculum/${level.slug}/${next.slug}`,
      linkLabel: started ? 'Continue the module' : 'Start the module',
    },
  ];
}

async function educatorSteps(db: Db, user: SessionUser): Promise<NextStep[]> {
  const steps: NextStep[] = [];
  const waiting = await countOf(
    db
      .select({ n: count() })
      .from(handbookRevisions)
      .where(and(eq(handbookRevisions.status, 'in-review'), ne(handbookRevisions.authorId, user.id))),
  );
  if (waiting > 0) {
    steps.push({
      id: 'educator-review',
      title: `${waiting} handbook ${waiting === 1 ? 'revision waits' : 'revisions wait'} for your review`,
      text: 'A second educator reviews every change before it is published.',
      href: '/educator',
      linkLabel: 'Review revisions',
    });
  }
  const mine = await countOf(
    db
      .select({ n: count() })
      .from(handbookRevisions)
      .where(and(eq(handbookRevisions.status, 'changes-requested'), eq(handbookRevisions.authorId, user.id))),
  );
  if (mine > 0) {
    steps.push({
      id: 'educator-changes',
      title: `Reviewers asked for changes to ${mine} of your revisions`,
      text: 'Read their comments, change the text and send it for review again.',
      href: '/educator',
      linkLabel: 'Open my revisions',
    });
  }
  return steps;
}

async function examinerSteps(db: Db, now: number): Promise<NextStep[]> {
  const steps: NextStep[] = [];
  const notOpen = await countOf(
    db
      .select({ n: count() })
      .from(simulatorAssessments)
      .where(and(eq(simulatorAssessments.status, 'published'), gte(simulatorAssessments.opensAt, now + 1))),
  );
  if (notOpen > 0) {
    steps.push({
      id: 'examiner-not-open',
      title: `${notOpen} published ${notOpen === 1 ? 'assessment is' : 'assessments are'} not open yet`,
      text: 'Candidates see them as upcoming until they open. Check the opening dates are the ones you meant.',
      href: '/examiner/assessments',
      linkLabel: 'Check the assessments',
    });
  }
  const recent = await countOf(
    db
      .select({ n: count() })
      .from(simulatorAttempts)
      .where(gte(simulatorAttempts.submittedAt, now - RECENT_ATTEMPTS_DAYS * DAY_MS)),
  );
  if (recent > 0) {
    steps.push({
      id: 'examiner-attempts',
      title: `${recent} ${recent === 1 ? 'attempt was' : 'attempts were'} submitted in the last ${RECENT_ATTEMPTS_DAYS} days`,
      text: 'Look through the scored runs and annotate any beat a candidate should hear about.',
      href: '/examiner/attempts',
      linkLabel: 'See the attempts',
    });
  }
  return steps;
}

/** What waits for the administrators, for the overview page and the dashboard. */
export interface AdminOverview {
  applicationsWaiting: number;
  applicationsAwaitingApplicant: number;
  closuresWaiting: number;
  contactWaiting: number;
  renewalsDue: number;
  lapsedThisMonth: number;
  mailFailures: number;
  jobs: { name: string; lastStartedAt: number; lastFinishedAt: number | null; ok: boolean | null; summary: string }[];
}

/** The first instant of the UTC month that contains `now`. */
export function startOfUtcMonth(now: number): number {
  const date = new Date(now);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

function jobSummary(lastResult: string | null): { ok: boolean | null; summary: string } {
  if (lastResult === null) return { ok: null, summary: 'Running' };
  try {
    const parsed = JSON.parse(lastResult) as { ok?: boolean; result?: unknown; error?: string };
    if (parsed.ok === false) return { ok: false, summary: parsed.error ?? 'Failed' };
    return { ok: true, summary: describeJobResult(parsed.result) || 'done' };
  } catch {
    return { ok: null, summary: lastResult.slice(0, 200) };
  }
}

export async function adminOverview(db: Db, now = Date.now()): Promise<AdminOverview> {
  const applicationsWithStatus = (status: 'submitted' | 'info-requested') =>
    countOf(db.select({ n: count() }).from(membershipApplications).where(eq(membershipApplications.status, status)));
  const jobs = await db.select().from(scheduledJobRuns).orderBy(scheduledJobRuns.name);
  return {
    applicationsWaiting: await applicationsWithStatus('submitted'),
    applicationsAwaitingApplicant: await applicationsWithStatus('info-requested'),
    closuresWaiting: await countOf(
      db.select({ n: count() }).from(accountClosureRequests).where(eq(accountClosureRequests.status, 'requested')),
    ),
    contactWaiting: await countOf(
      db.select({ n: count() }).from(contactMessages).where(isNull(contactMessages.handledAt)),
    ),
    renewalsDue: await countOf(
      db
        .select({ n: count() })
        .from(memberships)
        .where(
          and(
            eq(memberships.status, 'active'),
            gte(memberships.expiresAt, now),
            lte(memberships.expiresAt, now + RENEWALS_DUE_DAYS * DAY_MS),
          ),
        ),
    ),
    lapsedThisMonth: await countOf(
      db
        .select({ n: count() })
        .from(membershipEvents)
        .where(and(eq(membershipEvents.kind, 'lapsed'), gte(membershipEvents.at, startOfUtcMonth(now)))),
    ),
    mailFailures: await countOf(
      db
        .select({ n: count() })
        .from(mailOutbox)
        .where(and(eq(mailOutbox.status, 'failed'), gte(mailOutbox.createdAt, now - 30 * DAY_MS))),
    ),
    jobs: jobs.map((j) => ({
      name: j.name,
      lastStartedAt: j.lastStartedAt,
      lastFinishedAt: j.lastFinishedAt,
      ...jobSummary(j.lastFinishedAt === null ? null : j.lastResult),
    })),
  };
}

function adminSteps(overview: AdminOverview): NextStep[] {
  const steps: NextStep[] = [];
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  if (overview.applicationsWaiting > 0) {
    steps.push({
      id: 'admin-applications',
      title: `${plural(overview.applicationsWaiting, 'membership application waits', 'membership applications wait')} for a decision`,
      text: 'Check the documents, then approve, reject or ask the applicant for more information.',
      href: '/admin/applications',
      linkLabel: 'Review applications',
    });
  }
  if (overview.closuresWaiting > 0) {
    steps.push({
      id: 'admin-closures',
      title: `${plural(overview.closuresWaiting, 'account closure waits', 'account closures wait')} for confirmation`,
      text: 'Members asked to close their accounts; the law gives us a month to act.',
      href: '/admin/closures',
      linkLabel: 'Review closures',
      urgent: true,
    });
  }
  if (overview.contactWaiting > 0) {
    steps.push({
      id: 'admin-contact',
      title: `${plural(overview.contactWaiting, 'contact message waits', 'contact messages wait')} for an answer`,
      text: 'Answer by email, then mark each message handled.',
      href: '/admin/messages',
      linkLabel: 'Read messages',
    });
  }
  if (overview.mailFailures > 0) {
    steps.push({
      id: 'admin-mail',
      title: `${plural(overview.mailFailures, 'mail', 'mails')} could not be delivered in the last 30 days`,
      text: 'The outbox shows each failure and its error.',
      href: '/admin/outbox',
      linkLabel: 'Open the outbox',
      urgent: true,
    });
  }
  steps.push({
    id: 'admin-overview',
    title: 'Administration overview',
    text: 'Renewals due, lapsed memberships and the scheduled jobs’ last runs.',
    href: '/admin',
    linkLabel: 'Open the overview',
  });
  return steps;
}

/** The signed-in user's next steps, urgent ones first. */
export async function nextSteps(db: Db, user: SessionUser, now = Date.now()): Promise<NextStep[]> {
  const steps: NextStep[] = [];
  const missingTotp = user.roles.some((r) => ROLES_REQUIRING_TOTP.includes(r)) && !user.totpEnabled;
  if (missingTotp) {
    steps.push({
      id: 'totp-required',
      title: 'Set up two-factor authentication',
      text: 'Your role requires a second factor. Until you set one up, its pages stay closed to you.',
      href: '/account/security?setup=1',
      linkLabel: 'Set up two-factor authentication',
      urgent: true,
    });
  }
  if (user.roles.includes('admin')) steps.push(...adminSteps(await adminOverview(db, now)));
  if (user.roles.includes('educator')) steps.push(...(await educatorSteps(db, user)));
  if (user.roles.includes('examiner')) steps.push(...(await examinerSteps(db, now)));
  steps.push(...(await membershipSteps(db, user, now)));
  // The curriculum's text and progress are for members in good standing (src/lib/access.ts).
  if (hasMembersAccess(user)) steps.push(...(await curriculumSteps(db, user, now)));
  if (!user.totpEnabled && !missingTotp) {
    steps.push({
      id: 'totp-suggested',
      title: 'Protect your account with a second factor',
      text: 'An authenticator app on your phone stops anyone who learns your password from signing in.',
      href: '/account/security?setup=1',
      linkLabel: 'Turn on two-factor authentication',
    });
  }
  return [...steps.filter((s) => s.urgent), ...steps.filter((s) => !s.urgent)];
}
