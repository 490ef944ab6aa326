export * from './accounts.ts';
export * from './audit.ts';
export * from './contact.ts';
export * from './handbook.ts';
export * from './mail.ts';
export * from './membership.ts';
export * from './rate-limit.ts';
export * from './simulator.ts';
