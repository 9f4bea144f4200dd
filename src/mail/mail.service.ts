import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import { APP_CONFIG, type AppConfig } from '../config/app.config.js';
import type { Locale } from '../common/i18n/messages.js';
import { emailChangedMail, emailVerificationMail, passwordResetMail } from './templates.js';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/**
 * Sends mail by MAIL_TRANSPORT (docs/api.md §7): `file` writes JSON files into the outbox
 * (development and tests), `smtp` sends through SMTP_URL, `log` only logs.
 */
@Injectable()
export class MailService implements OnModuleDestroy {
  private readonly logger = new Logger(MailService.name);
  /** Created once: nodemailer connects per message, so this opens nothing until the first send. */
  private readonly transporter?: Transporter;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    if (config.mail.transport === 'smtp') {
      this.transporter = createTransport({
        url: config.mail.smtpUrl,
        // nodemailer waits up to 2 minutes by default; a dead relay should fail fast.
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 20_000,
      });
    }
  }

  async send(mail: OutgoingMail): Promise<void> {
    switch (this.config.mail.transport) {
      case 'file':
        return this.writeToOutbox(mail);
      case 'smtp':
        await this.transporter!.sendMail({
          from: this.config.mail.from,
          ...mail,
          // Quoted-printable, not base64, even for Chinese text: links and tokens stay readable in the raw message.
          textEncoding: 'quoted-printable',
        });
        return;
      case 'log':
        this.logger.log(`mail to ${mail.to}: ${mail.subject}\n${mail.text}`);
        return;
    }
  }

  async sendPasswordReset(to: string, token: string, expiresAt: Date, locale: Locale): Promise<void> {
    await this.send({ to, ...passwordResetMail(locale, { token, link: this.link('reset-password', token), expiresAt }) });
  }

  /** The verification link of docs/api.md §12, to the address being verified. */
  async sendEmailVerification(to: string, token: string, expiresAt: Date, locale: Locale): Promise<void> {
    await this.send({ to, ...emailVerificationMail(locale, { token, link: this.link('verify-email', token), expiresAt }) });
  }

  /** `${APP_PUBLIC_URL}/<page>?token=…`: the frontend page that takes the token. */
  private link(page: string, token: string): string {
    return `${this.config.http.appPublicUrl.replace(/\/+$/, '')}/${page}?token=${encodeURIComponent(token)}`;
  }

  /** To the old address, after an account's email changed to `newEmail` (null: removed). */
  async sendEmailChanged(oldEmail: string, newEmail: string | null, locale: Locale): Promise<void> {
    await this.send({ to: oldEmail, ...emailChangedMail(locale, newEmail) });
  }

  onModuleDestroy(): void {
    this.transporter?.close();
  }

  /**
   * One JSON file per mail. Written under a temporary name and renamed, so a reader polling
   * the outbox never sees a half-written `.json` file.
   */
  private async writeToOutbox(mail: OutgoingMail): Promise<void> {
    const dir = this.config.mail.outboxDir;
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const sentAt = new Date().toISOString();
    const name = `${sentAt.replace(/:/g, '-')}-${randomBytes(6).toString('hex')}.json`;
    const body = JSON.stringify({ to: mail.to, subject: mail.subject, text: mail.text, html: mail.html, sent_at: sentAt }, null, 2);
    const tmp = join(dir, `.${name}.tmp`);
    await writeFile(tmp, `${body}\n`, { encoding: 'utf8', mode: 0o600 });
    await rename(tmp, join(dir, name));
  }
}
