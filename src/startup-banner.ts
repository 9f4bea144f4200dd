import { DEV_ORIGINS, type AppConfig } from './config/app.config.js';
import type { SeedReport } from './database/seeds/seed.js';
import { OAUTH_MOUNT } from './oauth/oauth.constants.js';

/**
 * What a person starting the service needs to see: where it answers, and on the first start of
 * a development instance the administrator it created with its generated password (shown this
 * once). Printed as a block in development; in production the same facts are log lines, and a
 * password is never among them (production needs ADMIN_PASSWORD, so none is generated).
 */
export function startupBanner(config: AppConfig, localUrl: string, seed: SeedReport): { text: string; lines: string[] } {
  // Where a browser reaches it: PUBLIC_URL when set, else the address it listens on.
  const base = config.http.publicUrl.startsWith(`http://localhost:${config.http.port}`) ? localUrl : config.http.publicUrl;
  const database = config.db.type === 'sqlite' ? `SQLite ${config.db.path}` : 'MySQL/MariaDB';
  const urls: [string, string][] = [
    ['API', `${base}/api/v1`],
    ...(config.http.docsEnabled ? ([['Swagger UI', `${base}/docs`]] as [string, string][]) : []),
    ['OpenID', `${base}${OAUTH_MOUNT}/.well-known/openid-configuration`],
    ['Health', `${base}/health/ready`],
  ];
  const lines = [
    `AuthCentre listening on ${localUrl} (${config.env}; ${database}${config.redis.url ? '; Redis' : ''})`,
    ...urls.map(([name, url]) => `${name}: ${url}`),
  ];
  if (seed.createdAdmin) lines.push(`Created the first administrator "${seed.createdAdmin.username}" (SUPER_ADMIN)`);
  if (seed.adminPasswordIgnored) lines.push('ADMIN_PASSWORD was ignored: an administrator exists already');

  const pad = (label: string) => label.padEnd(12);
  const out = ['', `  AuthCentre is running  (${config.env}, ${database}${config.redis.url ? ', Redis' : ''})`, ''];
  for (const [name, url] of urls) out.push(`    ${pad(name)} ${url}`);
  const admin = seed.createdAdmin;
  if (admin?.generatedPassword) {
    out.push(
      '',
      '  First start: an administrator was created. Its password is shown this once;',
      '  sign in and change it (PUT /api/v1/users/me/password), or set ADMIN_PASSWORD before the first start.',
      '',
      `    ${pad('username')} ${admin.username}`,
      `    ${pad('password')} ${admin.generatedPassword}`,
    );
  } else if (admin) {
    out.push('', `  First start: the administrator "${admin.username}" was created with ADMIN_PASSWORD.`);
  }
  if (seed.adminPasswordIgnored) {
    out.push(
      '',
      "  ADMIN_PASSWORD was ignored: it only sets the first administrator's password, and one exists.",
      '  To set a password now: npx authcentre reset-password <username>',
    );
  }
  const origins = config.http.corsOrigins.join(',');
  if (origins === DEV_ORIGINS) {
    out.push('', '  Local frontends may call the API: localhost and 127.0.0.1, ports 5173, 3000, 4200, 8080 (CORS_ORIGINS).');
  } else if (origins) out.push('', `  Frontends allowed by CORS_ORIGINS: ${config.http.corsOrigins.join(', ')}`);
  out.push('');
  return { text: `${out.join('\n')}\n`, lines };
}
