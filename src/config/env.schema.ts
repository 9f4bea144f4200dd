import { z } from 'zod';

/**
 * Every environment variable the service reads, validated once at start (docs/api.md §7).
 * Values arrive as strings; the schema coerces and bounds them. Nothing outside
 * `src/config` reads `process.env`.
 */

const int = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^-?\d+$/, { message: 'must be a whole number' })
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(min, { message: `must be at least ${min}` })
        .max(max, { message: `must be at most ${max}` }),
    );

const bool = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'].includes(v), {
    message: 'must be true or false',
  })
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };
const byteSize = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^\d+\s*(b|kb|mb)?$/, { message: 'must be a size such as 100kb or 1mb' })
  .transform((v) => {
    const m = /^(\d+)\s*(b|kb|mb)?$/.exec(v)!;
    return Number(m[1]) * SIZE_UNITS[m[2] ?? 'b'];
  })
  .pipe(
    z
      .number()
      .int()
      .min(1024, { message: 'must be at least 1kb' })
      .max(50 * 1024 * 1024, { message: 'must be at most 50mb' }),
  );

const httpUrl = z
  .string()
  .trim()
  .refine((v) => /^https?:\/\/[^\s]+$/i.test(v), { message: 'must be an http(s) URL' })
  .transform((v) => v.replace(/\/+$/, ''));

/** `true`/`false`, a hop count, or a comma-separated list of addresses/CIDRs (Fastify's `trustProxy`). */
const trustProxy = z
  .string()
  .trim()
  .transform((v): boolean | number | string[] => {
    const lower = v.toLowerCase();
    if (['true', 'yes', 'on'].includes(lower)) return true;
    if (['false', 'no', 'off', ''].includes(lower)) return false;
    if (/^\d+$/.test(v)) return Number(v);
    return v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  });

/** A comma-separated list of role codes (API.md §2: `^[A-Z][A-Z0-9_]{1,63}$`), de-duplicated. */
const roleCodes = z
  .string()
  .trim()
  .transform((v) => [
    ...new Set(
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ])
  .refine((codes) => codes.every((code) => /^[A-Z][A-Z0-9_]{1,63}$/.test(code)), {
    message: 'must be comma-separated role codes such as ADMIN,SUPER_ADMIN',
  });

/** A production secret with fewer distinct characters than this is refused (docs/api.md §7). */
export const MIN_DISTINCT_SECRET_CHARS = 16;

const secret = z.string().refine((v) => Buffer.byteLength(v, 'utf8') >= 32, { message: 'must be at least 32 bytes long' });

export const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: z.string().trim().min(1).default('0.0.0.0'),
    PORT: int(0, 65535).default(3000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DATA_DIR: z.string().trim().min(1).default('./data'),

    DB_TYPE: z.enum(['sqlite', 'mysql']).default('sqlite'),
    DB_PATH: z.string().trim().min(1).optional(),
    DATABASE_URL: z
      .string()
      .trim()
      .refine((v) => /^(mysql|mariadb):\/\/[^\s]+$/i.test(v), { message: 'must be a mysql://user:pass@host:3306/db URL' })
      .optional(),
    DB_POOL_SIZE: int(1, 200).default(10),
    DB_TIMEOUT_MS: int(100, 120_000).default(5000),
    REDIS_URL: z
      .string()
      .trim()
      .refine((v) => /^rediss?:\/\/[^\s]+$/i.test(v), { message: 'must be a redis://host:6379 URL' })
      .optional(),

    BODY_LIMIT: byteSize.default(100 * 1024),
    /** `*`, `none`, or origins (`https://app.example.com`, no path), comma-separated. Unset: none, or in development the local dev servers. */
    CORS_ORIGINS: z
      .string()
      .trim()
      .refine(
        (v) =>
          v.toLowerCase() === 'none' ||
          v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
            .every((o) => o === '*' || /^https?:\/\/[^/\s?#]+\/?$/i.test(o)),
        { message: 'must be * or comma-separated origins such as https://app.example.com (scheme, host and port only)' },
      )
      .optional(),
    /** Swagger UI at /docs and the OpenAPI document at /docs-json; default on except in production. */
    DOCS_ENABLED: bool.optional(),
    TRUST_PROXY: trustProxy.default(false),
    /** Prometheus text at /metrics on this port, on its own small server (docs/operations.md); unset = off. */
    METRICS_PORT: int(1, 65535).optional(),
    /** Where that server listens: loopback by default, so only the host (or a scraper beside it) reads it. */
    METRICS_HOST: z.string().trim().min(1).default('127.0.0.1'),
    /** The service's own external base URL; the OpenID issuer is `${PUBLIC_URL}/oauth2`. */
    PUBLIC_URL: httpUrl.optional(),
    /** Where mailed links point (reset-password, verify-email); default PUBLIC_URL, whose pages serve them. */
    APP_PUBLIC_URL: httpUrl.optional(),
    DEFAULT_LOCALE: z.enum(['en', 'zh-CN']).default('en'),
    DEFAULT_PHONE_REGION: z
      .string()
      .trim()
      .regex(/^[A-Z]{2}$/, { message: 'must be a two-letter region code such as CN' })
      .default('CN'),

    /** No longer used: access tokens are signed with the signing keys of §8. Accepted (with a warning at start). */
    JWT_ACCESS_SECRET: z.string().optional(),
    JWT_REFRESH_SECRET: secret.optional(),
    /** 32 bytes, base64: encrypts signing keys and TOTP secrets at rest (AES-256-GCM). */
    ENCRYPTION_KEY: z
      .string()
      .trim()
      .refine((v) => Buffer.from(v, 'base64').length === 32 && /^[A-Za-z0-9+/_-]+={0,2}$/.test(v), {
        message: 'must be 32 bytes in base64 (e.g. openssl rand -base64 32)',
      })
      .optional(),
    JWT_ISSUER: z.string().trim().min(1).optional(),
    JWT_AUDIENCE: z.string().trim().min(1).default('authcentre-api'),
    ACCESS_TOKEN_TTL: int(30, 86_400).default(900),
    REFRESH_TOKEN_TTL: int(60, 365 * 86_400).default(7 * 86_400),
    REFRESH_GRACE_SECONDS: int(0, 300).default(0),
    SESSION_MAX_LIFETIME: int(60, 366 * 86_400).default(30 * 86_400),

    REGISTRATION_ENABLED: bool.default(true),
    PASSWORD_MIN_LENGTH: int(6, 128).default(8),
    LOGIN_MAX_FAILURES: int(1, 1000).default(5),
    LOGIN_LOCK_MINUTES: int(1, 7 * 24 * 60).default(15),
    CAPTCHA_AFTER_FAILURES: int(0, 1000).default(0),
    CAPTCHA_TTL: int(10, 3600).default(120),
    RESET_TOKEN_TTL: int(60, 7 * 86_400).default(1800),
    /** off: no verification mails; send: mail a link on register and email change; require: and refuse sign-in until verified. */
    EMAIL_VERIFICATION: z.enum(['off', 'send', 'require']).default('send'),
    EMAIL_VERIFY_TTL: int(60, 30 * 86_400).default(86_400),
    RATE_LIMIT_AUTH_PER_MINUTE: int(0, 1_000_000).default(30),
    /** Role codes whose holders must have a second factor (API.md §11): comma-separated, default none. */
    MFA_REQUIRED_ROLES: roleCodes.default([]),
    HASH_POOL_SIZE: int(1, 64).optional(),
    /** Read, not set: libuv's thread pool size (bin/authcentre.cjs sets it before Node starts). */
    UV_THREADPOOL_SIZE: int(1, 1024).default(4),

    MAIL_TRANSPORT: z.enum(['file', 'smtp', 'log']).default('file'),
    MAIL_OUTBOX_DIR: z.string().trim().min(1).optional(),
    SMTP_URL: z
      .string()
      .trim()
      .refine((v) => /^smtps?:\/\/[^\s]+$/i.test(v), { message: 'must be an smtp:// or smtps:// URL' })
      .optional(),
    MAIL_FROM: z.string().trim().min(3).default('AuthCentre <no-reply@localhost>'),

    ADMIN_USERNAME: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_.-]{3,32}$/, { message: 'must be 3-32 characters of A-Z a-z 0-9 _ . -' })
      .default('admin'),
    ADMIN_PASSWORD: z.string().min(1).optional(),
    ADMIN_EMAIL: z
      .string()
      .trim()
      .toLowerCase()
      .pipe(z.email({ message: 'must be an email address' }))
      .optional(),
  })
  .superRefine((env, ctx) => {
    if (env.DB_TYPE === 'mysql' && !env.DATABASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['DATABASE_URL'], message: 'is required when DB_TYPE=mysql' });
    }
    // Metrics are never served on the public port (they describe the service's load and failures).
    if (env.METRICS_PORT !== undefined && env.METRICS_PORT === env.PORT) {
      ctx.addIssue({ code: 'custom', path: ['METRICS_PORT'], message: 'must differ from PORT: metrics have a port of their own' });
    }
    if (env.MAIL_TRANSPORT === 'smtp' && !env.SMTP_URL) {
      ctx.addIssue({ code: 'custom', path: ['SMTP_URL'], message: 'is required when MAIL_TRANSPORT=smtp' });
    }
    if (env.NODE_ENV === 'production') {
      // The OpenID issuer and every token's `iss` come from it: several instances must agree on it.
      if (!env.PUBLIC_URL) {
        ctx.addIssue({
          code: 'custom',
          path: ['PUBLIC_URL'],
          message: 'is required in production: the external URL of the service (the OpenID issuer is PUBLIC_URL/oauth2)',
        });
      }
      if (!env.JWT_REFRESH_SECRET) {
        ctx.addIssue({ code: 'custom', path: ['JWT_REFRESH_SECRET'], message: 'is required in production (at least 32 bytes)' });
      }
      // 32 spaces are 32 bytes: a secret must also look random.
      const refresh = env.JWT_REFRESH_SECRET;
      if (refresh && new Set(refresh).size < MIN_DISTINCT_SECRET_CHARS) {
        ctx.addIssue({
          code: 'custom',
          path: ['JWT_REFRESH_SECRET'],
          message: `looks too simple to be a secret (fewer than ${MIN_DISTINCT_SECRET_CHARS} distinct characters); use e.g. openssl rand -base64 48`,
        });
      }
      if (env.MAIL_TRANSPORT === 'log') {
        ctx.addIssue({
          code: 'custom',
          path: ['MAIL_TRANSPORT'],
          message: 'cannot be log in production: it would write reset and verification links into the log',
        });
      }
      if (!env.ENCRYPTION_KEY) {
        ctx.addIssue({
          code: 'custom',
          path: ['ENCRYPTION_KEY'],
          message: 'is required in production (32 bytes in base64: openssl rand -base64 32)',
        });
      } else if (new Set(Buffer.from(env.ENCRYPTION_KEY, 'base64')).size < MIN_DISTINCT_SECRET_CHARS) {
        ctx.addIssue({ code: 'custom', path: ['ENCRYPTION_KEY'], message: 'does not look random (use openssl rand -base64 32)' });
      }
    }
  });

export type Env = z.output<typeof envSchema>;
