import { accountRouter } from './routers/account.ts';
import { adminRouter } from './routers/admin.ts';
import { applicationsRouter } from './routers/applications.ts';
import { certificatesRouter } from './routers/certificates.ts';
import { contactRouter } from './routers/contact.ts';
import { credentialsRouter } from './routers/credentials.ts';
import { dashboardRouter } from './routers/dashboard.ts';
import { directoryRouter } from './routers/directory.ts';
import { examsRouter } from './routers/exams.ts';
import { handbookRouter } from './routers/handbook.ts';
import { journalRouter } from './routers/journal.ts';
import { memberAdminRouter } from './routers/member-admin.ts';
import { membershipRouter } from './routers/membership.ts';
import { personalDataRouter } from './routers/personal-data.ts';
import { simulatorRouter } from './routers/simulator.ts';
import { createCallerFactory, router } from './trpc.ts';

export const appRouter = router({
  account: accountRouter,
  admin: adminRouter,
  applications: applicationsRouter,
  certificates: certificatesRouter,
  contact: contactRouter,
  dashboard: dashboardRouter,
  directory: directoryRouter,
  exams: examsRouter,
  handbook: handbookRouter,
  memberAdmin: memberAdminRouter,
  membership: membershipRouter,
  personalData: personalDataRouter,
  simulator: simulatorRouter,
  credentials: credentialsRouter,
  journal: journalRouter,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
