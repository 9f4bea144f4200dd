import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/app.js';
import { startInstance, type Instance } from '../support/cluster.js';
import type { Http } from '../support/http.js';
import { startRedis, type RedisHandle } from '../support/redis.js';
import { TotpDevice } from '../support/totp.js';
import { PASSWORD, uniqueName } from '../support/users.js';

/**
 * The second factor on two processes of the service, one real MariaDB and one real Redis
 * (API.md §7, §11): the time step a code used is kept in the database, so a code accepted
 * on one instance is refused on the other; the mfa_token lives in Redis, so a sign-in begun
 * on one instance completes on the other, once.
 */
describe('second factor on two instances, one MariaDB, one Redis', () => {
  let db: TestDatabase;
  let redis: RedisHandle;
  let a: Instance;
  let b: Instance;

  beforeAll(async () => {
    db = await createTestDatabase('mysql');
    redis = await startRedis();
    const env = { REDIS_URL: redis.url, LOGIN_MAX_FAILURES: '10' };
    [a, b] = await Promise.all([startInstance('A', db, env), startInstance('B', db, env)]);
  }, 90_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.destroy();
    await db?.drop();
  });

  /** A user registered and enrolled on `on` (the device's first code confirmed the enrolment there). */
  async function enrolledOn(on: Instance) {
    const username = uniqueName('mfa');
    expect((await on.http.post('/api/v1/auth/register', { username, password: PASSWORD })).status).toBe(201);
    const signedIn = await on.http.post('/api/v1/auth/login', { username, password: PASSWORD });
    const token = signedIn.body.data.access_token;
    const begun = await on.http.post('/api/v1/users/me/mfa/totp', { password: PASSWORD }, { token });
    expect(begun.status).toBe(200);
    const device = new TotpDevice(begun.body.data.secret);
    const confirmed = await on.http.post('/api/v1/users/me/mfa/totp/confirm', { code: await device.next() }, { token });
    expect(confirmed.status).toBe(200);
    return { username, device, recoveryCodes: confirmed.body.data.recovery_codes as string[] };
  }

  async function challengeOn(http: Http, username: string): Promise<string> {
    const res = await http.post('/api/v1/auth/login', { username, password: PASSWORD });
    expect(res.body.data).toMatchObject({ mfa_required: true });
    return res.body.data.mfa_token;
  }

  const complete = (http: Http, body: Record<string, unknown>) => http.post('/api/v1/auth/login/mfa', body);

  it('refuses on B a code used on A, completes on B a sign-in begun on A, once', async () => {
    const u = await enrolledOn(a);
    const confirmCode = u.device.last();
    const fromA = await challengeOn(a.http, u.username);

    const replayed = await complete(b.http, { mfa_token: fromA, code: confirmCode });
    expect([replayed.status, replayed.body.error]).toEqual([401, 'INVALID_MFA_CODE']);
    const done = await complete(b.http, { mfa_token: fromA, code: await u.device.next() });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect((await b.http.get('/api/v1/users/me', { token: done.body.data.access_token })).body.data.mfa_enabled).toBe(true);
    const spent = await complete(a.http, { mfa_token: fromA, code: u.device.last() });
    expect([spent.status, spent.body.error]).toEqual([401, 'INVALID_MFA_TOKEN']);

    // The code B accepted is refused on A at the next sign-in.
    const again = await complete(a.http, { mfa_token: await challengeOn(b.http, u.username), code: u.device.last() });
    expect([again.status, again.body.error]).toEqual([401, 'INVALID_MFA_CODE']);
    // A recovery code spent on A is spent on B.
    expect((await complete(a.http, { mfa_token: await challengeOn(a.http, u.username), recovery_code: u.recoveryCodes[0] })).status).toBe(
      200,
    );
    const reused = await complete(b.http, { mfa_token: await challengeOn(b.http, u.username), recovery_code: u.recoveryCodes[0] });
    expect([reused.status, reused.body.error]).toEqual([401, 'INVALID_MFA_CODE']);
  });

  it('one code sent to both instances at once signs in once', async () => {
    const u = await enrolledOn(b);
    const [onA, onB] = [await challengeOn(a.http, u.username), await challengeOn(b.http, u.username)];
    const code = await u.device.next();
    const results = await Promise.all([complete(a.http, { mfa_token: onA, code }), complete(b.http, { mfa_token: onB, code })]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
    expect(results.find((r) => r.status === 401)?.body.error).toBe('INVALID_MFA_CODE');
  });
});
