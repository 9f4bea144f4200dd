import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startSmtp, type SmtpHandle } from '../../test/support/smtp.js';
import { loadConfig } from '../config/app.config.js';
import { MailService } from './mail.service.js';
import { emailVerificationMail, escapeHtml, passwordResetMail } from './templates.js';

const TOKEN = 'Zm9vYmFy-_token_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const LINK = `https://id.example.com/reset-password?token=${TOKEN}`;

interface OutboxFile {
  to: string;
  subject: string;
  text: string;
  html: string;
  sent_at: string;
}

describe('MailService', () => {
  let tmp: string;

  beforeEach(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'mail-spec-'));
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    await rm(tmp, { recursive: true, force: true });
  });

  async function outbox(dir: string): Promise<{ name: string; mail: OutboxFile }[]> {
    const names = (await readdir(dir)).sort();
    return Promise.all(names.map(async (name) => ({ name, mail: JSON.parse(await readFile(join(dir, name), 'utf8')) as OutboxFile })));
  }

  describe('file transport', () => {
    it('writes each mail as a JSON file into the outbox, creating it', async () => {
      const dir = join(tmp, 'nested', 'outbox');
      const service = new MailService(loadConfig({ MAIL_TRANSPORT: 'file', DATA_DIR: tmp, MAIL_OUTBOX_DIR: dir }));
      const before = Date.now();
      await service.send({ to: 'alice@example.test', subject: 'Hi', text: 'plain body', html: '<p>html body</p>' });
      await service.send({ to: 'bob@example.test', subject: 'Second', text: 't', html: 'h' });

      const files = await outbox(dir);
      expect(files).toHaveLength(2);
      for (const { name } of files) expect(name).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}Z-[0-9a-f]+\.json$/);
      const alice = files.find((f) => f.mail.to === 'alice@example.test')!.mail;
      expect(Object.keys(alice).sort()).toEqual(['html', 'sent_at', 'subject', 'text', 'to']);
      expect(alice).toMatchObject({ subject: 'Hi', text: 'plain body', html: '<p>html body</p>' });
      expect(new Date(alice.sent_at).toISOString()).toBe(alice.sent_at);
      expect(Date.parse(alice.sent_at)).toBeGreaterThanOrEqual(before - 1);
    });

    it('defaults the outbox to DATA_DIR/outbox and writes the reset mail with token, link and expiry', async () => {
      const service = new MailService(loadConfig({ DATA_DIR: tmp, APP_PUBLIC_URL: 'https://id.example.com/' }));
      const expiresAt = new Date(Date.now() + 30 * 60_000);
      await service.sendPasswordReset('carol@example.test', TOKEN, expiresAt, 'en');

      const [{ mail }] = await outbox(join(tmp, 'outbox'));
      expect(mail.to).toBe('carol@example.test');
      expect(mail.subject).toBe('Reset your password');
      expect(mail.text).toContain(LINK);
      expect(mail.text).toContain(`\n${TOKEN}\n`);
      expect(mail.text).toContain('expires in 30 minutes');
      expect(mail.text).toContain(`${expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`);
      expect(mail.html).toContain(`<a href="${LINK}">`);
    });

    it('writes the verification mail with its link to APP_PUBLIC_URL/verify-email', async () => {
      const service = new MailService(loadConfig({ DATA_DIR: tmp, APP_PUBLIC_URL: 'https://id.example.com/' }));
      await service.sendEmailVerification('ivy@example.test', TOKEN, new Date(Date.now() + 86_400_000), 'en');
      const [{ mail }] = await outbox(join(tmp, 'outbox'));
      expect(mail).toMatchObject({ to: 'ivy@example.test', subject: 'Verify your email address' });
      expect(mail.text).toContain(`https://id.example.com/verify-email?token=${TOKEN}`);
      expect(mail.text).toContain(`\n${TOKEN}\n`);
      expect(mail.html).toContain(`<a href="https://id.example.com/verify-email?token=${TOKEN}">`);
    });

    it('URL-encodes the token in the link', async () => {
      const service = new MailService(loadConfig({ DATA_DIR: tmp, APP_PUBLIC_URL: 'https://id.example.com' }));
      await service.sendPasswordReset('dan@example.test', 'a+b/c=', new Date(Date.now() + 60_000), 'en');
      const [{ mail }] = await outbox(join(tmp, 'outbox'));
      expect(mail.text).toContain('https://id.example.com/reset-password?token=a%2Bb%2Fc%3D');
      expect(mail.text).toContain('\na+b/c=\n');
    });
  });

  describe('smtp transport', () => {
    let smtp: SmtpHandle;

    beforeEach(async () => {
      smtp = await startSmtp();
    });

    afterEach(async () => {
      await smtp.stop();
    });

    function smtpService(): MailService {
      return new MailService(
        loadConfig({
          MAIL_TRANSPORT: 'smtp',
          SMTP_URL: smtp.url,
          DATA_DIR: tmp,
          APP_PUBLIC_URL: 'https://id.example.com',
          MAIL_FROM: 'AuthCentre <no-reply@example.test>',
        }),
      );
    }

    it('delivers the English reset mail with the token and the link', async () => {
      const service = smtpService();
      try {
        await service.sendPasswordReset('erin@example.test', TOKEN, new Date(Date.now() + 30 * 60_000), 'en');
        const mail = await smtp.waitFor((m) => m.to.includes('erin@example.test'));
        expect(mail.from).toBe('no-reply@example.test');
        expect(mail.subject).toBe('Reset your password');
        expect(mail.raw).toMatch(/multipart\/alternative/i);
        expect(mail.text).toContain(LINK);
        expect(mail.text).toContain(TOKEN);
        expect(mail.text).toContain('expires in 30 minutes');
        // The client writes nothing to disk in this mode.
        expect(await readdir(tmp)).toEqual([]);
      } finally {
        service.onModuleDestroy();
      }
    });

    it('delivers the Chinese reset mail with the link readable in the raw message', async () => {
      const service = smtpService();
      try {
        await service.sendPasswordReset('fay@example.test', TOKEN, new Date(Date.now() + 30 * 60_000), 'zh-CN');
        const mail = await smtp.waitFor((m) => m.to.includes('fay@example.test'));
        expect(mail.subject).toBe('重置您的密码');
        expect(mail.raw).not.toMatch(/Content-Transfer-Encoding: base64/i);
        expect(mail.text).toContain(LINK);
        expect(mail.text).toContain(TOKEN);
      } finally {
        service.onModuleDestroy();
      }
    });

    it('fails the send when the server is gone', async () => {
      const service = smtpService();
      await smtp.stop();
      await expect(service.send({ to: 'gus@example.test', subject: 's', text: 't', html: 'h' })).rejects.toThrow();
      service.onModuleDestroy();
    });
  });

  describe('log transport', () => {
    it('logs recipient, subject and text', async () => {
      const log = vi.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
      const service = new MailService(loadConfig({ MAIL_TRANSPORT: 'log', DATA_DIR: tmp }));
      await service.send({ to: 'hal@example.test', subject: 'Subject line', text: 'the body', html: '<p>x</p>' });
      expect(log).toHaveBeenCalledTimes(1);
      const line = String(log.mock.calls[0][0]);
      expect(line).toContain('hal@example.test');
      expect(line).toContain('Subject line');
      expect(line).toContain('the body');
      expect(await readdir(tmp)).toEqual([]);
    });
  });
});

describe('passwordResetMail', () => {
  const now = new Date('2026-01-01T12:00:00.000Z');
  const expiresAt = new Date('2026-01-01T12:30:00.000Z');

  it('writes English and Chinese texts with the expiry', () => {
    const en = passwordResetMail('en', { token: 'tok', link: 'https://x.test/r?token=tok', expiresAt, now });
    expect(en.text).toContain('The link expires in 30 minutes (at 2026-01-01 12:30 UTC)');
    const zh = passwordResetMail('zh-CN', { token: 'tok', link: 'https://x.test/r?token=tok', expiresAt, now });
    expect(zh.subject).toBe('重置您的密码');
    expect(zh.text).toContain('该链接将在 30 分钟后(2026-01-01 12:30 UTC)失效');
    expect(zh.text).toContain('https://x.test/r?token=tok');
    expect(zh.html).toContain('<html lang="zh-CN">');
  });

  it('escapes values in the HTML but not in the text', () => {
    const link = 'https://x.test/r?a=1&token="><script>';
    const m = passwordResetMail('en', { token: '<b>&', link, expiresAt, now });
    expect(m.html).not.toContain('<script>');
    expect(m.html).not.toContain('<b>');
    expect(m.html).toContain('<a href="https://x.test/r?a=1&#38;token=&#34;&#62;&#60;script&#62;">');
    expect(m.html).toContain('&#60;b&#62;&#38;');
    expect(m.text).toContain(link);
    expect(m.text).toContain('<b>&');
    expect(escapeHtml(`&<>"'`)).toBe('&#38;&#60;&#62;&#34;&#39;');
  });

  it('says 1 minute, not 0, when less than a minute is left', () => {
    const m = passwordResetMail('en', { token: 't', link: 'l', expiresAt: new Date(now.getTime() + 20_000), now });
    expect(m.text).toContain('expires in 1 minute (');
  });
});

describe('emailVerificationMail', () => {
  const now = new Date('2026-01-01T12:00:00.000Z');
  const params = (seconds: number) => ({
    token: 'tok',
    link: 'https://x.test/verify-email?token=tok',
    expiresAt: new Date(now.getTime() + seconds * 1000),
    now,
  });

  it('writes English and Chinese texts, the lifetime in hours or days when long', () => {
    const en = emailVerificationMail('en', params(86_400));
    expect(en.subject).toBe('Verify your email address');
    expect(en.text).toContain('The link expires in 24 hours (at 2026-01-02 12:00 UTC) and works only once.');
    expect(en.text).toContain('https://x.test/verify-email?token=tok');
    expect(en.html).toContain('<html lang="en">');
    expect(emailVerificationMail('en', params(3600)).text).toContain('expires in 60 minutes');
    expect(emailVerificationMail('en', params(7 * 86_400)).text).toContain('expires in 7 days');
    const zh = emailVerificationMail('zh-CN', params(86_400));
    expect(zh.subject).toBe('验证您的邮箱地址');
    expect(zh.text).toContain('该链接将在 24 小时后(2026-01-02 12:00 UTC)失效');
    expect(zh.html).toContain('<html lang="zh-CN">');
  });

  it('escapes values in the HTML', () => {
    const m = emailVerificationMail('en', { ...params(3600), token: '<i>', link: 'https://x.test/?a="<>' });
    expect(m.html).not.toContain('<i>');
    expect(m.html).toContain('&#60;i&#62;');
    expect(m.html).toContain('href="https://x.test/?a=&#34;&#60;&#62;"');
  });
});
