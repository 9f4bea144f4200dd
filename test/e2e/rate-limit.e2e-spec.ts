import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB, startApp, type TestApp } from '../support/app.js';
import { registerAndLogin, uniqueName } from '../support/users.js';

describe(`rate limiting of the unauthenticated auth routes [${DB}]`, () => {
  describe('without a trusted proxy', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startApp({ RATE_LIMIT_AUTH_PER_MINUTE: '3', TRUST_PROXY: 'false' });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('answers 429 RATE_LIMITED with Retry-After past the limit, ignoring X-Forwarded-For', async () => {
      const statuses: number[] = [];
      let last;
      for (let i = 0; i < 5; i++) {
        // A forged X-Forwarded-For must not buy a fresh budget.
        last = await t.http.post(
          '/api/v1/auth/login',
          { username: uniqueName(), password: 'Wrong-password-1' },
          { headers: { 'x-forwarded-for': `10.0.0.${i}` } },
        );
        statuses.push(last.status);
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
      expect(last!.body.error).toBe('RATE_LIMITED');
      const retry = Number(last!.headers.get('retry-after'));
      expect(retry).toBeGreaterThan(0);
      expect(retry).toBeLessThanOrEqual(60);
    });

    it('does not limit authenticated routes', async () => {
      const open = await startApp({ RATE_LIMIT_AUTH_PER_MINUTE: '0' });
      const u = await registerAndLogin(open.http);
      await open.close({ keepDatabase: true });
      const limited = await startApp({ RATE_LIMIT_AUTH_PER_MINUTE: '2' }, open.db);
      try {
        const login = await limited.http.post('/api/v1/auth/login', { username: u.username, password: u.password });
        expect(login.status).toBe(200);
        for (let i = 0; i < 5; i++) {
          expect((await limited.http.get('/api/v1/users/me', { token: login.body.data.access_token })).status).toBe(200);
        }
      } finally {
        await limited.close();
      }
    });
  });

  describe('behind a trusted proxy (TRUST_PROXY=true)', () => {
    it('counts per client address from X-Forwarded-For', async () => {
      const t = await startApp({ RATE_LIMIT_AUTH_PER_MINUTE: '2', TRUST_PROXY: 'true' });
      try {
        const as = (ip: string) => t.http.get('/api/v1/auth/captcha', { headers: { 'x-forwarded-for': ip } });
        expect((await as('203.0.113.1')).status).toBe(200);
        expect((await as('203.0.113.1')).status).toBe(200);
        expect((await as('203.0.113.1')).status).toBe(429);
        expect((await as('203.0.113.2')).status).toBe(200);
      } finally {
        await t.close();
      }
    });
  });
});
