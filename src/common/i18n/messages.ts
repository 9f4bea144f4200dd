import type { ErrorCode } from '../errors/error-codes.js';

export type Locale = 'en' | 'zh-CN';
export const LOCALES: readonly Locale[] = ['en', 'zh-CN'];

/** Human text for each error key, per locale. `{name}` placeholders come from AppException params. */
export const MESSAGES: Record<Locale, Record<ErrorCode, string>> = {
  en: {
    VALIDATION_FAILED: 'The request is invalid.',
    INVALID_JSON: 'The request body is not valid JSON.',
    WRONG_PASSWORD: 'The current password is wrong.',
    WEAK_PASSWORD: 'The password is too weak: use {min} to 128 characters, not your username and not a common password.',
    INVALID_RESET_TOKEN: 'The password reset link is invalid or has expired.',
    CAPTCHA_INVALID: 'The captcha is wrong or has expired.',
    INVALID_VERIFY_TOKEN: 'The email verification link is invalid or has expired.',
    UNAUTHENTICATED: 'Authentication is required.',
    INVALID_TOKEN: 'The token is invalid.',
    TOKEN_EXPIRED: 'The token has expired.',
    TOKEN_REVOKED: 'The token has been revoked.',
    INVALID_TOKEN_TYPE: 'This kind of token cannot be used here.',
    INVALID_CREDENTIALS: 'The username or password is wrong.',
    REFRESH_TOKEN_REUSED: 'This refresh token was already used; the session has been signed out for safety.',
    CAPTCHA_REQUIRED: 'A captcha is required.',
    INVALID_MFA_CODE: 'The verification code is wrong.',
    INVALID_MFA_TOKEN: 'The sign-in step has expired or is invalid. Sign in again.',
    FORBIDDEN: 'You do not have permission to do this.',
    ACCOUNT_DISABLED: 'This account is disabled.',
    ACCOUNT_LOCKED: 'Too many failed sign-in attempts. Try again in {duration}.',
    REGISTRATION_DISABLED: 'Registration is closed.',
    EMAIL_NOT_VERIFIED: 'Verify your email address before signing in.',
    CSRF_FAILED: 'The request failed the cross-site request check.',
    NOT_FOUND: 'Not found.',
    METHOD_NOT_ALLOWED: 'This method is not allowed here.',
    USERNAME_TAKEN: 'This username is already taken.',
    EMAIL_TAKEN: 'This email address is already in use.',
    PHONE_TAKEN: 'This phone number is already in use.',
    ROLE_CODE_TAKEN: 'A role with this code already exists.',
    PERMISSION_CODE_TAKEN: 'A permission with this code already exists.',
    CLIENT_ID_TAKEN: 'A client with this client_id already exists.',
    PROTECTED_RESOURCE: 'This resource is protected and cannot be changed this way.',
    MFA_ALREADY_ENABLED: 'Two-factor authentication is already enabled.',
    MFA_NOT_ENABLED: 'Two-factor authentication is not enabled.',
    PAYLOAD_TOO_LARGE: 'The request body is too large.',
    UNSUPPORTED_MEDIA_TYPE: 'The request body must be application/json.',
    RATE_LIMITED: 'Too many requests. Try again in {duration}.',
    INTERNAL_ERROR: 'An internal error occurred.',
    SERVICE_UNAVAILABLE: 'The service is temporarily unavailable. Try again shortly.',
  },
  'zh-CN': {
    VALIDATION_FAILED: '请求参数无效。',
    INVALID_JSON: '请求体不是有效的 JSON。',
    WRONG_PASSWORD: '当前密码错误。',
    WEAK_PASSWORD: '密码强度不足:长度需为 {min} 到 128 个字符,且不能与用户名相同或为常见密码。',
    INVALID_RESET_TOKEN: '密码重置链接无效或已过期。',
    CAPTCHA_INVALID: '验证码错误或已过期。',
    INVALID_VERIFY_TOKEN: '邮箱验证链接无效或已过期。',
    UNAUTHENTICATED: '需要登录认证。',
    INVALID_TOKEN: '令牌无效。',
    TOKEN_EXPIRED: '令牌已过期。',
    TOKEN_REVOKED: '令牌已被吊销。',
    INVALID_TOKEN_TYPE: '此类令牌不能用于此处。',
    INVALID_CREDENTIALS: '用户名或密码错误。',
    REFRESH_TOKEN_REUSED: '刷新令牌已被使用,为安全起见该会话已退出。',
    CAPTCHA_REQUIRED: '需要输入验证码。',
    INVALID_MFA_CODE: '验证码错误。',
    INVALID_MFA_TOKEN: '登录步骤已过期或无效,请重新登录。',
    FORBIDDEN: '没有执行此操作的权限。',
    ACCOUNT_DISABLED: '账号已被禁用。',
    ACCOUNT_LOCKED: '登录失败次数过多,请在 {duration}后重试。',
    REGISTRATION_DISABLED: '注册已关闭。',
    EMAIL_NOT_VERIFIED: '请先验证邮箱地址再登录。',
    CSRF_FAILED: '请求未通过跨站请求校验。',
    NOT_FOUND: '资源不存在。',
    METHOD_NOT_ALLOWED: '不允许使用此请求方法。',
    USERNAME_TAKEN: '用户名已被占用。',
    EMAIL_TAKEN: '邮箱已被使用。',
    PHONE_TAKEN: '手机号已被使用。',
    ROLE_CODE_TAKEN: '角色编码已存在。',
    PERMISSION_CODE_TAKEN: '权限编码已存在。',
    CLIENT_ID_TAKEN: '该 client_id 已存在。',
    PROTECTED_RESOURCE: '该资源受保护,不能以此方式修改。',
    MFA_ALREADY_ENABLED: '双因素认证已启用。',
    MFA_NOT_ENABLED: '双因素认证未启用。',
    PAYLOAD_TOO_LARGE: '请求体过大。',
    UNSUPPORTED_MEDIA_TYPE: '请求体必须是 application/json。',
    RATE_LIMITED: '请求过于频繁,请在 {duration}后重试。',
    INTERNAL_ERROR: '服务器内部错误。',
    SERVICE_UNAVAILABLE: '服务暂时不可用,请稍后重试。',
  },
};

/**
 * Picks the locale from an Accept-Language header (RFC 9110 §12.5.4): the supported
 * language with the highest q-value; absent, `*` or unknown → the default.
 */
export function pickLocale(header: string | undefined, fallback: Locale): Locale {
  if (!header) return fallback;
  const ranges = header
    .split(',')
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)).find(Boolean);
      return { tag: tag.trim().toLowerCase(), q: q ? Number(q[1]) : 1, index };
    })
    .filter((r) => r.tag && r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranges) {
    if (tag === 'zh' || tag.startsWith('zh-')) return 'zh-CN';
    if (tag === 'en' || tag.startsWith('en-')) return 'en';
    if (tag === '*') return fallback;
  }
  return fallback;
}

export function localise(locale: Locale, code: ErrorCode, params: Record<string, string | number> = {}): string {
  const values = params.seconds !== undefined ? { ...params, duration: duration(locale, Number(params.seconds)) } : params;
  return MESSAGES[locale][code].replace(/\{(\w+)\}/g, (_, key: string) => String(values[key] ?? ''));
}

/**
 * A wait in words, rounded up to what a person reads: "45 seconds", "15 minutes",
 * "2 hours 5 minutes" (the exact seconds stay in Retry-After).
 */
export function duration(locale: Locale, seconds: number): string {
  const s = Math.max(1, Math.ceil(Number.isFinite(seconds) ? seconds : 1));
  const zh = locale === 'zh-CN';
  const unit = (n: number, en: string, cn: string) => (zh ? `${n} ${cn}` : `${n} ${en}${n === 1 ? '' : 's'}`);
  if (s < 60) return unit(s, 'second', '秒');
  const minutes = Math.ceil(s / 60);
  if (minutes < 60) return unit(minutes, 'minute', '分钟');
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  const h = unit(hours, 'hour', '小时');
  return rest ? `${h} ${unit(rest, 'minute', '分钟')}` : h;
}
