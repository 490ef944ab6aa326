/**
 * The mails of the application steps. Applicant mails are addressed by name by the sender ("Dear ...");
 * mails to admins name no applicant (they stay in the outbox after an erasure: role-mail.ts).
 */
export interface MailText {
  subject: string;
  body: string;
}

export const applicationMail = {
  submitted: (siteUrl: string): MailText => ({
    subject: 'We received your IECPA membership application',
    body: `Thank you for applying for IECPA membership. The membership committee will review your application and write to you when they have decided or if they need more information.\n\nYou can follow your application at ${siteUrl}/membership/application\n`,
  }),
  replied: (siteUrl: string): MailText => ({
    subject: 'Your reply has been sent to the IECPA membership committee',
    body: `Your updated application and your reply have been sent to the membership committee. They will write to you again when they have reviewed it.\n\nYour application: ${siteUrl}/membership/application\n`,
  }),
  withdrawn: (siteUrl: string): MailText => ({
    subject: 'You withdrew your IECPA membership application',
    body: `Your membership application has been withdrawn, as you asked. You are welcome to apply again at any time: ${siteUrl}/membership\n`,
  }),
  approved: (siteUrl: string, categoryName: string, number: string, committeeNote: string): MailText => ({
    subject: `Welcome to IECPA: your membership number is ${number}`,
    body: `Your application has been approved: you are now a ${categoryName} member of the International External Counterpulsation Association.\n\nYour membership number is ${number}.${committeeNote ? `\n\nA note from the committee:\n${committeeNote}` : ''}\n\nYour membership: ${siteUrl}/membership/status\n`,
  }),
  rejected: (siteUrl: string, reason: string): MailText => ({
    subject: 'Your IECPA membership application',
    body: `Thank you for applying for IECPA membership. The membership committee has decided not to approve your application, for this reason:\n\n${reason}\n\nYou are welcome to apply again when the situation has changed: ${siteUrl}/membership\n`,
  }),
  infoRequested: (siteUrl: string, question: string): MailText => ({
    subject: 'The IECPA membership committee needs more information',
    body: `The membership committee is reviewing your application and asks:\n\n${question}\n\nPlease update your application and send your reply at ${siteUrl}/membership/application\n`,
  }),
};

export const adminApplicationMail = {
  submitted: (siteUrl: string, categoryName: string, applicationId: string) => ({
    subject: 'A membership application is waiting for review',
    text: `A new application for IECPA membership (${categoryName}) was submitted. Review it at ${siteUrl}/admin/applications/${applicationId}\n\nAll applications waiting: ${siteUrl}/admin/applications\n`,
  }),
  replied: (siteUrl: string, applicationId: string) => ({
    subject: 'An applicant replied to your request for information',
    text: `An applicant updated their IECPA membership application and replied to the committee's request for information. Review it at ${siteUrl}/admin/applications/${applicationId}\n`,
  }),
};
