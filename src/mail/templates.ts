import type { Locale } from '../common/i18n/messages.js';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** A mailed single-use link: password reset, email verification. */
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

/** The texts of a mail that carries a single-use link and its token. */
interface LinkMailTexts {
  subject: string;
  greeting: string;
  intro: string;
  tokenIntro: string;
  expiry: (minutes: number, at: string) => string;
  ignore: string;
}

const RESET: Record<Locale, LinkMailTexts> = {
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
  return linkMail(locale, RESET[locale], p);
}

/** `90 minutes`, `24 hours`, `3 days`: a lifetime as a reader would say it. */
function duration(minutes: number, units: { minute: string; hour: string; day: string }, plural: boolean): string {
  const [n, unit] =
    minutes < 120
      ? [minutes, units.minute]
      : minutes < 72 * 60
        ? [Math.round(minutes / 60), units.hour]
        : [Math.round(minutes / 1440), units.day];
  return `${n} ${unit}${plural && n !== 1 ? 's' : ''}`;
}

const VERIFY: Record<Locale, LinkMailTexts> = {
  en: {
    subject: 'Verify your email address',
    greeting: 'Hello,',
    intro: 'Please confirm that this is the email address of your account by opening this link:',
    tokenIntro: 'Or enter this verification token:',
    expiry: (minutes, at) =>
      `The link expires in ${duration(minutes, { minute: 'minute', hour: 'hour', day: 'day' }, true)} (at ${at}) and works only once.`,
    ignore: 'If you did not create an account or change its email address, ignore this mail: nothing changes.',
  },
  'zh-CN': {
    subject: '验证您的邮箱地址',
    greeting: '您好:',
    intro: '请打开以下链接,确认这是您账号的邮箱地址:',
    tokenIntro: '或输入以下验证令牌:',
    expiry: (minutes, at) =>
      `该链接将在 ${duration(minutes, { minute: '分钟', hour: '小时', day: '天' }, false)}后(${at})失效,且只能使用一次。`,
    ignore: '如果您没有注册账号或更改邮箱地址,请忽略此邮件,不会有任何改变。',
  },
};

/** Sent on registration and email change (docs/api.md §12): the link to `${APP_PUBLIC_URL}/verify-email?token=…`. */
export function emailVerificationMail(locale: Locale, p: PasswordResetParams): RenderedMail {
  return linkMail(locale, VERIFY[locale], p);
}

function linkMail(locale: Locale, t: LinkMailTexts, p: PasswordResetParams): RenderedMail {
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
