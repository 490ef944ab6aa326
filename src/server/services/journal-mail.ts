/**
 * The journal's mails and decision letters. Letters to authors never name reviewers (they are "Reviewer 1",
 * "Reviewer 2" in the order invited); mails to reviewers never name authors (only the title, which the
 * anonymised manuscript carries anyway). Mails to editors say what waits and link to it.
 */
import type { Decision, Recommendation, ReviewStatus } from '#db/schema/journal.ts';
import { formatLongDate } from '#src/lib/dates.ts';

export interface Mail {
  subject: string;
  text: string;
}

export const RECOMMENDATION_LABELS: Record<Recommendation, string> = {
  accept: 'Accept',
  'minor-revisions': 'Minor revisions',
  'major-revisions': 'Major revisions',
  resubmit: 'Revise and resubmit',
  decline: 'Decline',
};

export const REVIEW_STATUS_LABELS: Record<ReviewStatus, string> = {
  invited: 'Invited: please accept or decline',
  accepted: 'Accepted: report due',
  declined: 'Declined',
  submitted: 'Report sent',
  cancelled: 'Closed (the round ended)',
};

export const DECISION_LABELS: Record<Decision, string> = {
  'desk-decline': 'Declined at desk check',
  'send-to-review': 'Sent to peer review',
  'minor-revisions': 'Minor revisions',
  'major-revisions': 'Major revisions',
  resubmit: 'Revise and resubmit',
  decline: 'Declined after review',
  accept: 'Accepted',
};

/** The opening paragraph of each decision's letter (the template); the editor's note follows it. */
const DECISION_TEMPLATES: Record<Decision, string> = {
  'desk-decline':
    'Thank you for submitting your manuscript to the IECPA Journal. After an editorial assessment we have decided not to send it for peer review, so we cannot consider it further.',
  'send-to-review':
    'Your manuscript has passed the editorial check and has been sent for double-anonymous peer review. We will write again when the reviewers have reported.',
  'minor-revisions':
    'The reviewers have reported on your manuscript. We will be glad to consider it further once you have made the minor revisions they and the editor ask for below.',
  'major-revisions':
    'The reviewers have reported on your manuscript. It needs major revisions before we can consider it further; a revised version will be reviewed again. Please answer each comment below in your response.',
  resubmit:
    'The reviewers have reported on your manuscript. In its current form we cannot accept it, but we would consider a substantially revised version as a new round of review.',
  decline:
    'The reviewers have reported on your manuscript. We regret that we cannot accept it for publication in the IECPA Journal.',
  accept:
    'We are pleased to accept your manuscript for publication in the IECPA Journal. It now moves to copyediting and production; we will write when it is published.',
};

export interface LetterReview {
  /** 1-based number in invitation order: the only way a letter refers to a reviewer. */
  number: number;
  recommendation: Recommendation;
  commentsToAuthors: string;
}

export function decisionLetter(input: {
  decision: Decision;
  title: string;
  round: number;
  note: string;
  reviews: LetterReview[];
  /** Numbers of the reviewers whose annotated manuscripts are shared with this decision. */
  sharedFiles?: number[];
}): string {
  const parts = [
    `Manuscript: "${input.title}"`,
    `Decision: ${DECISION_LABELS[input.decision]}`,
    '',
    DECISION_TEMPLATES[input.decision],
  ];
  if (input.note) parts.push('', "Editor's comments:", input.note);
  for (const review of input.reviews) {
    parts.push('', `Reviewer ${review.number} (round ${input.round}):`, review.commentsToAuthors);
  }
  const shared = input.sharedFiles ?? [];
  if (shared.length > 0) {
    const who = shared.map((n) => `Reviewer ${n}`).join(', ');
    parts.push('', `The annotated manuscript of ${who} is on your submission's page.`);
  }
  return parts.join('\n');
}

export const journalMail = {
  submitted(siteUrl: string, title: string, submissionId: string): Mail {
    return {
      subject: 'IECPA Journal: we received your submission',
      text: `Thank you for submitting "${title}" to the IECPA Journal.\n\nYou can follow its status at ${siteUrl}/journal/submissions/${submissionId}\n`,
    };
  },
  editorsNewSubmission(siteUrl: string, submissionId: string): Mail {
    return {
      subject: 'IECPA Journal: a new submission waits for a desk check',
      text: `A new submission waits for an editor: ${siteUrl}/journal/editor/${submissionId}\n`,
    };
  },
  decision(siteUrl: string, submissionId: string, letter: string): Mail {
    return {
      subject: 'IECPA Journal: a decision on your submission',
      text: `${letter}\n\nYour submission: ${siteUrl}/journal/submissions/${submissionId}\n`,
    };
  },
  invitation(siteUrl: string, reviewId: string, title: string, dueAt: number): Mail {
    return {
      subject: 'IECPA Journal: invitation to review',
      text: `You are invited to review the manuscript "${title}" for the IECPA Journal (double-anonymous review).\n\nReport due: ${formatLongDate(dueAt)}\n\nAccept or decline: ${siteUrl}/journal/reviews/${reviewId}\n`,
    };
  },
  reviewResponse(siteUrl: string, submissionId: string, accepted: boolean): Mail {
    return {
      subject: `IECPA Journal: a reviewer ${accepted ? 'accepted' : 'declined'} an invitation`,
      text: `A reviewer ${accepted ? 'accepted' : 'declined'} an invitation: ${siteUrl}/journal/editor/${submissionId}\n`,
    };
  },
  reportSubmitted(siteUrl: string, submissionId: string): Mail {
    return {
      subject: 'IECPA Journal: a review report arrived',
      text: `A reviewer submitted a report: ${siteUrl}/journal/editor/${submissionId}\n`,
    };
  },
  revisionSubmitted(siteUrl: string, submissionId: string): Mail {
    return {
      subject: 'IECPA Journal: a revised manuscript arrived',
      text: `The authors submitted a revision: ${siteUrl}/journal/editor/${submissionId}\n`,
    };
  },
  reminder(siteUrl: string, reviewId: string, dueAt: number): Mail {
    return {
      subject: 'IECPA Journal: your review is due soon',
      text: `A reminder: your review report is due on ${formatLongDate(dueAt)}.\n\n${siteUrl}/journal/reviews/${reviewId}\n`,
    };
  },
  overdue(siteUrl: string, submissionId: string): Mail {
    return {
      subject: 'IECPA Journal: a review is overdue',
      text: `A review report is overdue: ${siteUrl}/journal/editor/${submissionId}\n`,
    };
  },
  published(siteUrl: string, articleId: string, doi: string): Mail {
    return {
      subject: 'IECPA Journal: your article is published',
      text: `Your article is published with the DOI ${doi}:\n${siteUrl}/journal/articles/${articleId}\n`,
    };
  },
  invitationWithdrawn(siteUrl: string, reviewId: string, title: string): Mail {
    return {
      subject: 'IECPA Journal: a review is no longer needed',
      text: `The authors withdrew the manuscript "${title}", so your review invitation has ended and no report is needed. Thank you for your time.\n\n${siteUrl}/journal/reviews/${reviewId}\n`,
    };
  },
  withdrawnToEditor(siteUrl: string, submissionId: string): Mail {
    return {
      subject: 'IECPA Journal: a submission was withdrawn by its authors',
      text: `The authors withdrew a submission; open review invitations were ended and the reviewers told. Their reason is in the history: ${siteUrl}/journal/editor/${submissionId}\n`,
    };
  },
  withdrawnToAuthor(siteUrl: string, submissionId: string, title: string): Mail {
    return {
      subject: 'IECPA Journal: your submission is withdrawn',
      text: `You withdrew "${title}" from the IECPA Journal. The editors and any reviewers have been told.\n\n${siteUrl}/journal/submissions/${submissionId}\n`,
    };
  },
  chiefFlag(siteUrl: string, chief: boolean): Mail {
    return chief
      ? {
          subject: 'IECPA Journal: you are now the editor-in-chief',
          text: `You are now the editor-in-chief of the IECPA Journal: you may assign submissions to editors and act on every submission.\n\n${siteUrl}/journal/editors\n`,
        }
      : {
          subject: 'IECPA Journal: you are no longer the editor-in-chief',
          text: `The editor-in-chief flag was taken from your account; you remain an editor.\n\n${siteUrl}/journal/editors\n`,
        };
  },
  issuePublished(siteUrl: string, issueId: string, label: string): Mail {
    return {
      subject: `IECPA Journal: your article appears in ${label}`,
      text: `The issue ${label} of the IECPA Journal is published, and your article is in it. Its citation now carries the volume and number:\n${siteUrl}/journal/issues/${issueId}\n`,
    };
  },
  translationToReview(siteUrl: string, translationId: string): Mail {
    return {
      subject: 'IECPA Journal: a translation waits for your review',
      text: `A translation was sent for your review: ${siteUrl}/journal/translations/${translationId}\n`,
    };
  },
  translationAssigned(siteUrl: string, translationId: string, role: 'translator' | 'reviewer'): Mail {
    return {
      subject: `IECPA Journal: a translation ${role === 'translator' ? 'to write' : 'to review'}`,
      text: `An article was accepted for translation into English and you are its ${role}: ${siteUrl}/journal/translations/${translationId}\n`,
    };
  },
};
