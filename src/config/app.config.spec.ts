import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './app.config.js';

const issues = (env: Record<string, string>) => {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues.map((i) => i.variable);
  }
};

/** A random-looking ENCRYPTION_KEY (32 bytes). */
const KEY = {
  PUBLIC_URL: 'https://id.example.com',
  ENCRYPTION_KEY: Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 37 + 11) % 256)).toString('base64'),
};

describe('loadConfig', () => {
  it('has the defaults of docs/api.md §7', () => {
    const c = loadConfig({});
    expect(c.http.port).toBe(3000);
    expect(c.db.type).toBe('sqlite');
    expect(c.db.path).toMatch(/data\/app\.sqlite$/);
    expect(c.http.bodyLimit).toBe(100 * 1024);
    expect(c.auth).toMatchObject({
      passwordMinLength: 8,
      maxFailures: 5,
      lockMinutes: 15,
      captchaAfterFailures: 0,
      captchaTtl: 120,
      resetTokenTtl: 1800,
      rateLimitPerMinute: 30,
      registrationEnabled: true,
    });
    expect(c.jwt).toMatchObject({ accessTtl: 900, refreshTtl: 604800, refreshGraceSeconds: 0 });
    expect(c.mail.transport).toBe('file');
    expect(c.i18n).toEqual({ defaultLocale: 'en', phoneRegion: 'CN' });
    expect(c.admin.username).toBe('admin');
  });

  it('parses sizes, booleans, lists and proxy settings', () => {
    const c = loadConfig({
      BODY_LIMIT: '1mb',
      REGISTRATION_ENABLED: 'false',
      CORS_ORIGINS: 'https://a.example, https://b.example',
      TRUST_PROXY: '10.0.0.0/8,127.0.0.1',
    });
    expect(c.http.bodyLimit).toBe(1024 * 1024);
    expect(c.auth.registrationEnabled).toBe(false);
    expect(c.http.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    // As a browser sends Origin.
    expect(loadConfig({ CORS_ORIGINS: 'https://App.Example:443/, http://127.0.0.1:8080, *' }).http.corsOrigins).toEqual([
      'https://app.example',
      'http://127.0.0.1:8080',
      '*',
    ]);
    expect(c.http.trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(loadConfig({ TRUST_PROXY: '2' }).http.trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: 'true' }).http.trustProxy).toBe(true);
  });

  it('lets local frontends in during development only, and serves /docs except in production', () => {
    const dev = loadConfig({ NODE_ENV: 'development' });
    expect(dev.http.corsOrigins).toContain('http://localhost:5173');
    expect(dev.http.corsOrigins).toContain('http://127.0.0.1:5173');
    expect(dev.http.corsOrigins).toContain('http://localhost:3000');
    expect(dev.http.corsOrigins).not.toContain('*');
    // Set, the setting wins; `none` turns the defaults off.
    expect(loadConfig({ NODE_ENV: 'development', CORS_ORIGINS: 'none' }).http.corsOrigins).toEqual([]);
    expect(loadConfig({ NODE_ENV: 'development', CORS_ORIGINS: 'https://a.example' }).http.corsOrigins).toEqual(['https://a.example']);
    expect(loadConfig({ NODE_ENV: 'test' }).http.corsOrigins).toEqual([]);
    expect(dev.http.docsEnabled).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development', DOCS_ENABLED: 'false' }).http.docsEnabled).toBe(false);
    expect(loadConfig({ NODE_ENV: 'test' }).http.docsEnabled).toBe(true);
  });

  it('points mailed links at the service itself unless APP_PUBLIC_URL says otherwise', () => {
    expect(loadConfig({ PORT: '8081' }).http.appPublicUrl).toBe('http://localhost:8081');
    expect(loadConfig({ PUBLIC_URL: 'https://id.example.com' }).http.appPublicUrl).toBe('https://id.example.com');
    expect(loadConfig({ PUBLIC_URL: 'https://id.example.com', APP_PUBLIC_URL: 'https://app.example.com' }).http.appPublicUrl).toBe(
      'https://app.example.com',
    );
  });

  it('names every bad variable', () => {
    expect(issues({ PORT: 'x', DB_TYPE: 'postgres', BODY_LIMIT: 'lots' })).toEqual(['PORT', 'DB_TYPE', 'BODY_LIMIT']);
    expect(issues({ MAIL_TRANSPORT: 'smtp' })).toEqual(['SMTP_URL']);
    expect(issues({ DB_TYPE: 'mysql' })).toEqual(['DATABASE_URL']);
    expect(issues({ APP_PUBLIC_URL: 'javascript:alert(1)' })).toEqual(['APP_PUBLIC_URL']);
    expect(issues({ CORS_ORIGINS: 'https://a.example/app' })).toEqual(['CORS_ORIGINS']);
    expect(issues({ CORS_ORIGINS: 'a.example' })).toEqual(['CORS_ORIGINS']);
  });

  it('refuses production without a strong refresh secret and ENCRYPTION_KEY, and never echoes them', () => {
    expect(issues({ NODE_ENV: 'production' })).toEqual(['PUBLIC_URL', 'JWT_REFRESH_SECRET', 'ENCRYPTION_KEY']);
    try {
      loadConfig({ JWT_REFRESH_SECRET: 'hunter2' });
    } catch (err) {
      expect((err as Error).message).toContain('JWT_REFRESH_SECRET must be at least 32 bytes');
      expect((err as Error).message).not.toContain('hunter2');
    }
    // JWT_ACCESS_SECRET is no longer used (access tokens are signed with the signing keys): accepted.
    expect(
      issues({ NODE_ENV: 'production', ...KEY, JWT_REFRESH_SECRET: 'Zr5Lp2Xw8Nc1Vb7Hq3Ts6Dm9Kf4Gj0Ya', JWT_ACCESS_SECRET: 'old' }),
    ).toEqual([]);
  });

  it('refuses secrets that do not look random in production: 32 spaces are 32 bytes', () => {
    const good = { ...KEY, JWT_REFRESH_SECRET: 'Zr5Lp2Xw8Nc1Vb7Hq3Ts6Dm9Kf4Gj0Ya' };
    expect(issues({ NODE_ENV: 'production', ...good })).toEqual([]);
    expect(issues({ NODE_ENV: 'production', ...good, JWT_REFRESH_SECRET: ' '.repeat(32) })).toEqual(['JWT_REFRESH_SECRET']);
    expect(issues({ NODE_ENV: 'production', ...good, JWT_REFRESH_SECRET: 'abcdefghijklmnoabcdefghijklmnoabcdefghijklmno' })).toEqual([
      'JWT_REFRESH_SECRET',
    ]);
    // Development generates its own; a simple one set by hand is the developer's business.
    expect(issues({ JWT_REFRESH_SECRET: ' '.repeat(32) })).toEqual([]);
  });

  it('refuses MAIL_TRANSPORT=log in production: it would log reset links', () => {
    const good = { ...KEY, JWT_REFRESH_SECRET: 'Zr5Lp2Xw8Nc1Vb7Hq3Ts6Dm9Kf4Gj0Ya' };
    expect(issues({ NODE_ENV: 'production', ...good, MAIL_TRANSPORT: 'log' })).toEqual(['MAIL_TRANSPORT']);
    expect(issues({ MAIL_TRANSPORT: 'log' })).toEqual([]);
  });

  it('mails verification links by default (EMAIL_VERIFICATION=send, valid 24 h); off and require are the other modes', () => {
    expect(loadConfig({}).auth).toMatchObject({ emailVerification: 'send', emailVerifyTtl: 86_400 });
    expect(loadConfig({ EMAIL_VERIFICATION: 'require', EMAIL_VERIFY_TTL: '3600' }).auth).toMatchObject({
      emailVerification: 'require',
      emailVerifyTtl: 3600,
    });
    expect(loadConfig({ EMAIL_VERIFICATION: 'off' }).auth.emailVerification).toBe('off');
    expect(issues({ EMAIL_VERIFICATION: 'maybe', EMAIL_VERIFY_TTL: '10' })).toEqual(['EMAIL_VERIFICATION', 'EMAIL_VERIFY_TTL']);
  });

  it('caps sessions at SESSION_MAX_LIFETIME, 30 days by default', () => {
    expect(loadConfig({}).jwt.sessionMaxLifetime).toBe(30 * 86_400);
    expect(loadConfig({ SESSION_MAX_LIFETIME: '3600' }).jwt.sessionMaxLifetime).toBe(3600);
    expect(issues({ SESSION_MAX_LIFETIME: '10' })).toEqual(['SESSION_MAX_LIFETIME']);
  });

  it('derives the issuer and the mailed links from PUBLIC_URL', () => {
    const c = loadConfig({ PUBLIC_URL: 'https://id.example.com/' });
    expect(c.http.publicUrl).toBe('https://id.example.com');
    expect(c.jwt.issuer).toBe('https://id.example.com/oauth2');
    expect(c.http.appPublicUrl).toBe('https://id.example.com');
    expect(loadConfig({ PORT: '8080' }).jwt.issuer).toBe('http://localhost:8080/oauth2');
    expect(loadConfig({ PUBLIC_URL: 'https://id.example.com', APP_PUBLIC_URL: 'https://app.example.com' }).http.appPublicUrl).toBe(
      'https://app.example.com',
    );
    expect(loadConfig({ JWT_ISSUER: 'legacy' }).jwt.issuer).toBe('legacy');
  });

  it('takes ENCRYPTION_KEY as 32 bytes of base64, required and random-looking in production', () => {
    expect(loadConfig(KEY).encryptionKey).toHaveLength(32);
    expect(issues({ ENCRYPTION_KEY: Buffer.alloc(16).toString('base64') })).toEqual(['ENCRYPTION_KEY']);
    const prod = { NODE_ENV: 'production', PUBLIC_URL: 'https://id.example.com', JWT_REFRESH_SECRET: 'Zr5Lp2Xw8Nc1Vb7Hq3Ts6Dm9Kf4Gj0Ya' };
    expect(issues(prod)).toEqual(['ENCRYPTION_KEY']);
    expect(issues({ ...prod, ENCRYPTION_KEY: Buffer.alloc(32).toString('base64') })).toEqual(['ENCRYPTION_KEY']);
    expect(issues({ ...prod, ...KEY })).toEqual([]);
  });

  it('reads MFA_REQUIRED_ROLES as role codes, none by default', () => {
    expect(loadConfig({}).mfa.requiredRoles).toEqual([]);
    expect(loadConfig({ MFA_REQUIRED_ROLES: ' SUPER_ADMIN, ADMIN ,,ADMIN' }).mfa.requiredRoles).toEqual(['SUPER_ADMIN', 'ADMIN']);
    expect(issues({ MFA_REQUIRED_ROLES: 'admin' })).toEqual(['MFA_REQUIRED_ROLES']);
    expect(issues({ MFA_REQUIRED_ROLES: 'ADMIN;USER' })).toEqual(['MFA_REQUIRED_ROLES']);
  });

  it('serves no metrics unless METRICS_PORT is set; then on loopback by default, never on PORT', () => {
    expect(loadConfig({}).metrics).toEqual({ port: undefined, host: '127.0.0.1' });
    expect(loadConfig({ METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' }).metrics).toEqual({ port: 9464, host: '0.0.0.0' });
    expect(issues({ METRICS_PORT: 'x' })).toEqual(['METRICS_PORT']);
    expect(issues({ METRICS_PORT: '0' })).toEqual(['METRICS_PORT']);
    expect(issues({ PORT: '8080', METRICS_PORT: '8080' })).toEqual(['METRICS_PORT']);
  });
});
