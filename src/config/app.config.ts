import { resolve } from 'node:path';
import { envSchema, type Env } from './env.schema.js';

/** Injection token of the validated, typed configuration. */
export const APP_CONFIG = Symbol('APP_CONFIG');

export type TrustProxy = boolean | number | string[];

/**
 * CORS_ORIGINS when unset in development (never in production or test): the dev servers a
 * frontend usually runs on (Vite, Next/CRA, Angular, Vue CLI), so a local frontend's first fetch works.
 */
export const DEV_ORIGINS = [5173, 3000, 4200, 8080].flatMap((port) => [`http://localhost:${port}`, `http://127.0.0.1:${port}`]).join(',');

/** The configuration in typed namespaces. Built once from the environment by `loadConfig`. */
export interface AppConfig {
  env: Env['NODE_ENV'];
  isProduction: boolean;
  dataDir: string;
  http: {
    host: string;
    port: number;
    bodyLimit: number;
    /** Origins whose pages may call the API (CORS_ORIGINS; in development the usual local dev servers). */
    corsOrigins: string[];
    /** Swagger UI at /docs and the document at /docs-json (DOCS_ENABLED; default on except in production). */
    docsEnabled: boolean;
    trustProxy: TrustProxy;
    /** The service's own external base URL (PUBLIC_URL, default http://localhost:PORT). */
    publicUrl: string;
    /** The base of mailed links (APP_PUBLIC_URL, default publicUrl: the service serves those pages). */
    appPublicUrl: string;
    logLevel: Env['LOG_LEVEL'];
  };
  db: {
    type: 'sqlite' | 'mysql';
    path: string;
    url?: string;
    poolSize: number;
    timeoutMs: number;
  };
  redis: { url?: string };
  /** METRICS_PORT / METRICS_HOST: the Prometheus endpoint's own server; no port = no metrics at all. */
  metrics: { port?: number; host: string };
  /** 32 bytes (ENCRYPTION_KEY): seals signing keys and TOTP secrets. Undefined until `resolveSecrets` fills it in development. */
  encryptionKey?: Buffer;
  jwt: {
    /** Set only by a configuration from before signing keys (docs/api.md §6): unused, warned about at start. */
    accessSecret?: string;
    /** Undefined until `resolveSecrets` fills it (development) or it comes from the environment. */
    refreshSecret?: string;
    issuer: string;
    audience: string;
    accessTtl: number;
    refreshTtl: number;
    refreshGraceSeconds: number;
    /** Seconds: a session ends this long after sign-in, whatever its refreshes. */
    sessionMaxLifetime: number;
  };
  auth: {
    registrationEnabled: boolean;
    passwordMinLength: number;
    maxFailures: number;
    lockMinutes: number;
    captchaAfterFailures: number;
    captchaTtl: number;
    resetTokenTtl: number;
    /** EMAIL_VERIFICATION (docs/api.md §12): mail a verification link (send), and refuse sign-in without it (require). */
    emailVerification: 'off' | 'send' | 'require';
    /** Seconds a verification link stays valid (EMAIL_VERIFY_TTL). */
    emailVerifyTtl: number;
    rateLimitPerMinute: number;
    hashPoolSize?: number;
    /** libuv's thread pool (UV_THREADPOOL_SIZE, 4 unless set): the default hashing pool stays within it. */
    uvThreadpoolSize: number;
  };
  mfa: {
    /** MFA_REQUIRED_ROLES: holders of these role codes must have a second factor; enrolment is forced at their next sign-in. */
    requiredRoles: string[];
  };
  mail: {
    transport: 'file' | 'smtp' | 'log';
    outboxDir: string;
    smtpUrl?: string;
    from: string;
  };
  i18n: { defaultLocale: 'en' | 'zh-CN'; phoneRegion: string };
  admin: { username: string; password?: string; email?: string };
}

export class ConfigError extends Error {
  constructor(readonly issues: { variable: string; message: string }[]) {
    super(
      'Invalid configuration:\n' +
        issues.map((i) => `  - ${i.variable} ${i.message}`).join('\n') +
        '\nSee .env.example for every variable and its default.',
    );
    this.name = 'ConfigError';
  }
}

/**
 * Validates the environment and returns the typed configuration.
 * Empty strings count as unset, as in most .env tooling.
 * @throws ConfigError naming every bad variable.
 */
export function loadConfig(source: Record<string, string | undefined>): AppConfig {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = source[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const variable = String(issue.path[0] ?? 'environment');
        const got = raw[variable];
        const message = issue.message.startsWith('Invalid option')
          ? `${issue.message.replace(/^Invalid option: expected one of /, 'must be one of ')}`
          : issue.message;
        return {
          variable,
          message:
            got !== undefined && !variable.includes('SECRET') && !variable.includes('PASSWORD') ? `${message} (got "${got}")` : message,
        };
      }),
    );
  }
  const e = parsed.data;
  const dataDir = resolve(e.DATA_DIR);
  const publicUrl = e.PUBLIC_URL ?? `http://localhost:${e.PORT}`;
  return {
    env: e.NODE_ENV,
    isProduction: e.NODE_ENV === 'production',
    dataDir,
    http: {
      host: e.HOST,
      port: e.PORT,
      bodyLimit: e.BODY_LIMIT,
      // As browsers send Origin: lower-case, no default port, no trailing slash.
      corsOrigins: (e.CORS_ORIGINS?.toLowerCase() === 'none' ? '' : (e.CORS_ORIGINS ?? (e.NODE_ENV === 'development' ? DEV_ORIGINS : '')))
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .map((s) => (s === '*' ? s : new URL(s).origin)),
      docsEnabled: e.DOCS_ENABLED ?? e.NODE_ENV !== 'production',
      trustProxy: e.TRUST_PROXY,
      publicUrl,
      appPublicUrl: e.APP_PUBLIC_URL ?? publicUrl,
      logLevel: e.LOG_LEVEL,
    },
    db: {
      type: e.DB_TYPE,
      path: resolve(e.DB_PATH ?? `${dataDir}/app.sqlite`),
      url: e.DATABASE_URL,
      poolSize: e.DB_POOL_SIZE,
      timeoutMs: e.DB_TIMEOUT_MS,
    },
    redis: { url: e.REDIS_URL },
    metrics: { port: e.METRICS_PORT, host: e.METRICS_HOST },
    encryptionKey: e.ENCRYPTION_KEY ? Buffer.from(e.ENCRYPTION_KEY, 'base64') : undefined,
    jwt: {
      accessSecret: e.JWT_ACCESS_SECRET,
      refreshSecret: e.JWT_REFRESH_SECRET,
      issuer: e.JWT_ISSUER ?? `${publicUrl}/oauth2`,
      audience: e.JWT_AUDIENCE,
      accessTtl: e.ACCESS_TOKEN_TTL,
      refreshTtl: e.REFRESH_TOKEN_TTL,
      refreshGraceSeconds: e.REFRESH_GRACE_SECONDS,
      sessionMaxLifetime: e.SESSION_MAX_LIFETIME,
    },
    auth: {
      registrationEnabled: e.REGISTRATION_ENABLED,
      passwordMinLength: e.PASSWORD_MIN_LENGTH,
      maxFailures: e.LOGIN_MAX_FAILURES,
      lockMinutes: e.LOGIN_LOCK_MINUTES,
      captchaAfterFailures: e.CAPTCHA_AFTER_FAILURES,
      captchaTtl: e.CAPTCHA_TTL,
      resetTokenTtl: e.RESET_TOKEN_TTL,
      emailVerification: e.EMAIL_VERIFICATION,
      emailVerifyTtl: e.EMAIL_VERIFY_TTL,
      rateLimitPerMinute: e.RATE_LIMIT_AUTH_PER_MINUTE,
      hashPoolSize: e.HASH_POOL_SIZE,
      uvThreadpoolSize: e.UV_THREADPOOL_SIZE,
    },
    mfa: { requiredRoles: e.MFA_REQUIRED_ROLES },
    mail: {
      transport: e.MAIL_TRANSPORT,
      outboxDir: resolve(e.MAIL_OUTBOX_DIR ?? `${dataDir}/outbox`),
      smtpUrl: e.SMTP_URL,
      from: e.MAIL_FROM,
    },
    i18n: { defaultLocale: e.DEFAULT_LOCALE, phoneRegion: e.DEFAULT_PHONE_REGION },
    admin: { username: e.ADMIN_USERNAME, password: e.ADMIN_PASSWORD, email: e.ADMIN_EMAIL },
  };
}
