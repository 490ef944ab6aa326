import { eq } from 'drizzle-orm';
import { createTransport, type Transporter } from 'nodemailer';
import type { Db } from '#db/client.ts';
import { mailOutbox } from '#db/schema/index.ts';
import { newId } from '../ids.ts';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  /**
   * Records the message in the outbox and resolves; SMTP delivery (when configured) runs on in the
   * background and updates the row. The caller never waits for a mail server: a request that mails only
   * for a known address (password reset) must not take longer than one that mails nobody.
   */
  send(db: Db, message: MailMessage): Promise<void>;
  /** Resolves when every delivery started so far has finished (tests; a graceful shutdown). */
  idle(): Promise<void>;
}

export interface MailerOptions {
  /** smtp://user:pass@host:port (or smtps://). Without it, mail is only stored in the outbox. */
  smtpUrl?: string;
  from: string;
  /** Development convenience: print each stored mail's text (it holds the verification links). */
  logStored?: boolean;
  /**
   * Longest wait for each SMTP stage (connect, greeting, any socket silence). The request that triggered
   * the mail waits for delivery, and nodemailer's defaults (2 min, 30 s, 10 min) let a silent server hold
   * a registration for minutes.
   */
  timeoutMs?: number;
}

export const DEFAULT_SMTP_TIMEOUT_MS = 10_000;

/**
 * Every mail is recorded in the outbox first; with SMTP configured it is then delivered in the background
 * and the row says whether that worked. A delivery failure is recorded, never thrown at the user who
 * triggered the mail.
 */
export function createMailer(options: MailerOptions): Mailer {
  const timeoutMs = options.timeoutMs ?? DEFAULT_SMTP_TIMEOUT_MS;
  const transport: Transporter | null = options.smtpUrl
    ? createTransport({
        url: options.smtpUrl,
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
      })
    : null;
  const deliveries = new Set<Promise<void>>();
  async function deliver(db: Db, id: string, message: MailMessage, smtp: Transporter): Promise<void> {
    try {
      await smtp.sendMail({ from: options.from, to: message.to, subject: message.subject, text: message.text });
      await db.update(mailOutbox).set({ status: 'sent' }).where(eq(mailOutbox.id, id));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      await db
        .update(mailOutbox)
        .set({ status: 'failed', error: reason.slice(0, 500) })
        .where(eq(mailOutbox.id, id))
        .catch((dbError: unknown) => console.error(`[mail] could not record a failed delivery: ${dbError}`));
    }
  }
  return {
    async send(db, message) {
      const id = newId();
      await db.insert(mailOutbox).values({
        id,
        createdAt: Date.now(),
        toAddress: message.to,
        subject: message.subject,
        textBody: message.text,
        status: 'stored',
      });
      if (!transport) {
        if (options.logStored) console.info(`[mail] to ${message.to}: ${message.subject}\n${message.text}\n`);
        return;
      }
      const delivery = deliver(db, id, message, transport).finally(() => deliveries.delete(delivery));
      deliveries.add(delivery);
    },
    async idle() {
      while (deliveries.size > 0) await Promise.allSettled([...deliveries]);
    },
  };
}
