import type { Locale } from '../common/i18n/messages.js';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export interface PasswordResetParams {
  token: string;
  link: string;
  expiresAt: Date;
  /** When the mail is written; the "expires in N minutes" is counted from here. */
  now?: Date;
}

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `2026-01-01 12:30 UTC`: the same in every locale, and unambiguous without the reader's time zone. */
function utcTime(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

interface ResetTexts {
  subject: string;
  greeting: string;
  intro: string;
  tokenIntro: string;
  expiry: (minutes: number, at: string) => string;
  ignore: string;
}

const RESET: Record<Locale, ResetTexts> = {
  en: {
    subject: 'Reset your password',
    greeting: 'Hello,',
    intro: 'We received a request to reset the password of your account. Open this link to choose a new password:',
    tokenIntro: 'Or enter this reset token:',
    expiry: (minutes, at) => `The link expires in ${minutes} minute${minutes === 1 ? '' : 's'} (at ${at}) and works only once.`,
    ignore: 'If you did not ask for this, ignore this mail: your password stays unchanged.',
  },
  'zh-CN': {
    subject: '重置您的密码',
    greeting: '您好:',
    intro: '我们收到了重置您账号密码的请求。请打开以下链接设置新密码:',
    tokenIntro: '或输入以下重置令牌:',
    expiry: (minutes, at) => `该链接将在 ${minutes} 分钟后(${at})失效,且只能使用一次。`,
    ignore: '如果这不是您本人的操作,请忽略此邮件,您的密码不会被更改。',
  },
};

export function passwordResetMail(locale: Locale, p: PasswordResetParams): RenderedMail {
  const t = RESET[locale];
  const minutes = Math.max(1, Math.round((p.expiresAt.getTime() - (p.now ?? new Date()).getTime()) / 60_000));
  const expiry = t.expiry(minutes, utcTime(p.expiresAt));
  const text = [t.greeting, '', t.intro, '', p.link, '', t.tokenIntro, '', p.token, '', expiry, '', t.ignore, ''].join('\n');
  const e = escapeHtml;
  const html = [
    '<!doctype html>',
    `<html lang="${e(locale)}"><head><meta charset="utf-8"><title>${e(t.subject)}</title></head>`,
    '<body style="font-family: sans-serif; line-height: 1.5">',
    `<p>${e(t.greeting)}</p>`,
    `<p>${e(t.intro)}</p>`,
    `<p><a href="${e(p.link)}">${e(p.link)}</a></p>`,
    `<p>${e(t.tokenIntro)}</p>`,
    `<p><code style="font-size: 1.1em">${e(p.token)}</code></p>`,
    `<p>${e(expiry)}</p>`,
    `<p>${e(t.ignore)}</p>`,
    '</body></html>',
    '',
  ].join('\n');
  return { subject: t.subject, text, html };
}

interface EmailChangedTexts {
  subject: string;
  greeting: string;
  body: (to: string | null) => string;
  notYou: string;
}

const EMAIL_CHANGED: Record<Locale, EmailChangedTexts> = {
  en: {
    subject: 'The email address of your account was changed',
    greeting: 'Hello,',
    body: (to) => (to ? `The email address of your account was changed to ${to}.` : 'The email address was removed from your account.'),
    notYou:
      'If you did not do this, sign in and change your password at once, or contact your administrator: someone else may hold your account.',
  },
  'zh-CN': {
    subject: '您账号的邮箱地址已更改',
    greeting: '您好:',
    body: (to) => (to ? `您账号的邮箱地址已更改为 ${to}。` : '您账号的邮箱地址已被移除。'),
    notYou: '如果这不是您本人的操作,请立即登录并修改密码,或联系管理员:您的账号可能已被他人控制。',
  },
};

/** Sent to the old address when an account's email changes (docs/api.md §4). */
export function emailChangedMail(locale: Locale, to: string | null): RenderedMail {
  const t = EMAIL_CHANGED[locale];
  const text = [t.greeting, '', t.body(to), '', t.notYou, ''].join('\n');
  const e = escapeHtml;
  const html = [
    '<!doctype html>',
    `<html lang="${e(locale)}"><head><meta charset="utf-8"><title>${e(t.subject)}</title></head>`,
    '<body style="font-family: sans-serif; line-height: 1.5">',
    `<p>${e(t.greeting)}</p>`,
    `<p>${e(t.body(to))}</p>`,
    `<p>${e(t.notYou)}</p>`,
    '</body></html>',
    '',
  ].join('\n');
  return { subject: t.subject, text, html };
}
