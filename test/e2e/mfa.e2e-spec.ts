import { readFile } from 'node:fs/promises';
import type { OpenAPIObject } from '@nestjs/swagger';
import bcrypt from 'bcrypt';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignInService } from '../../src/auth/sign-in.service.js';
import type { RequestContext } from '../../src/common/http/request-context.js';
import { createUser, idOf, loginAdmin, userWithRoles } from '../support/admin.js';
import { DB, startApp, type TestApp } from '../support/app.js';
import type { Res } from '../support/http.js';
import { responseSchema, schemaViolations } from '../support/openapi-schema.js';
import { awayFromStepBoundary, codeForStep, codeNow, stepAt, TotpDevice } from '../support/totp.js';
import { PASSWORD, registerAndLogin, type Registered, type Tokens } from '../support/users.js';

/** The role the app below requires a second factor for (MFA_REQUIRED_ROLES). */
const GUARDED_ROLE = 'MFA_GUARDED';

/**
 * The second factor of API.md §11 at the API door, on the real app over HTTP. Every code
 * the tests send is computed by test/support/totp.ts (an RFC 6238 generator of the tests'
 * own, checked against the RFC's vectors) from the secret the enrolment returned.
 * LOGIN_MAX_FAILURES is 6 so that an mfa_token's own limit (5 wrong codes) shows apart
 * from the account lock.
 */
describe(`second factor: TOTP and recovery codes [${DB}]`, () => {
  let t: TestApp;
  let ds: DataSource;
  let admin: Tokens;

  beforeAll(async () => {
    t = await startApp({ LOGIN_MAX_FAILURES: '6', LOGIN_LOCK_MINUTES: '5', MFA_REQUIRED_ROLES: GUARDED_ROLE });
    ds = t.app.get(DataSource);
    admin = await loginAdmin(t.http);
    const role = await t.http.post('/api/v1/roles', { code: GUARDED_ROLE, name: 'Needs a second factor' }, { token: admin.access_token });
    expect(role.status, JSON.stringify(role.body)).toBe(201);
  });
  afterAll(async () => {
    await t?.close();
  });

  interface Enrolled extends Registered, Tokens {
    device: TotpDevice;
    recoveryCodes: string[];
  }

  /** A new user who set up TOTP through /users/me/mfa (one code of the device used). */
  async function enrolled(): Promise<Enrolled> {
    const u = await registerAndLogin(t.http);
    const begun = await t.http.post('/api/v1/users/me/mfa/totp', { password: u.password }, { token: u.access_token });
    expect(begun.status, JSON.stringify(begun.body)).toBe(200);
    const device = new TotpDevice(begun.body.data.secret);
    const confirmed = await t.http.post('/api/v1/users/me/mfa/totp/confirm', { code: await device.next() }, { token: u.access_token });
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    return { ...u, device, recoveryCodes: confirmed.body.data.recovery_codes };
  }

  /** POST /auth/login with the right password: a challenge, no tokens. */
  async function challenge(username: string, password = PASSWORD): Promise<string> {
    const res = await t.http.post('/api/v1/auth/login', { username, password });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data.mfa_required).toBe(true);
    return res.body.data.mfa_token;
  }

  const second = (body: Record<string, unknown>) => t.http.post('/api/v1/auth/login/mfa', body);

  /** A 6-digit code that is no code of the secret within two steps of now. */
  function wrongCode(secret: string): string {
    const now = stepAt(Date.now());
    const near = new Set([-2, -1, 0, 1, 2].map((d) => codeForStep(secret, now + d)));
    for (let n = 0; ; n++) {
      const code = String(n).padStart(6, '0');
      if (!near.has(code)) return code;
    }
  }

  const audits = (action: string, targetId: string) =>
    ds.query('SELECT actor_id, success, detail FROM audit_logs WHERE action = ? AND target_id = ? ORDER BY id', [action, targetId]);

  describe('enrolment', () => {
    it('hands out a secret that signs nothing in until a code of it confirms it; then ten recovery codes, once', async () => {
      const u = await registerAndLogin(t.http);
      expect(u).toMatchObject({ user: { mfa_enabled: false } });
      const asUser = { token: u.access_token };
      expect((await t.http.get('/api/v1/users/me/mfa', asUser)).body.data).toEqual({
        totp_enabled: false,
        recovery_codes_left: 0,
        required: false,
      });

      const wrongPassword = await t.http.post('/api/v1/users/me/mfa/totp', { password: 'Not-the-password-1' }, asUser);
      expect([wrongPassword.status, wrongPassword.body.error]).toEqual([400, 'WRONG_PASSWORD']);

      const begun = await t.http.post('/api/v1/users/me/mfa/totp', { password: u.password }, asUser);
      expect(begun.status).toBe(200);
      const { secret, otpauth_url: url, qr_code: qr } = begun.body.data;
      expect(Object.keys(begun.body.data).sort()).toEqual(['otpauth_url', 'qr_code', 'secret']);
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      const otpauth = new URL(url);
      expect([otpauth.protocol, otpauth.host, decodeURIComponent(otpauth.pathname)]).toEqual([
        'otpauth:',
        'totp',
        `/AuthCentre:${u.username}`,
      ]);
      expect(Object.fromEntries(otpauth.searchParams)).toMatchObject({
        secret,
        issuer: 'AuthCentre',
        algorithm: 'SHA1',
        digits: '6',
        period: '30',
      });
      expect(qr).toMatch(/^data:image\/svg\+xml;base64,/);
      expect(Buffer.from(qr.split(',')[1], 'base64').toString('utf8')).toMatch(/^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);

      // Pending: the second factor is not on, and the password alone still signs in.
      expect((await t.http.get('/api/v1/users/me', asUser)).body.data.mfa_enabled).toBe(false);
      const stillPlain = await t.http.post('/api/v1/auth/login', { username: u.username, password: u.password });
      expect(stillPlain.body.data).toMatchObject({ mfa_required: false, token_type: 'Bearer' });

      // The secret is stored sealed, not as given.
      const [row] = await ds.query('SELECT totp_secret, pending_secret FROM user_mfa WHERE user_id = ?', [u.id]);
      expect(row.totp_secret).toBeNull();
      expect(row.pending_secret).toMatch(/^v1\./);
      expect(row.pending_secret).not.toContain(secret);

      const wrong = await t.http.post('/api/v1/users/me/mfa/totp/confirm', { code: wrongCode(secret) }, asUser);
      expect([wrong.status, wrong.body.error]).toEqual([401, 'INVALID_MFA_CODE']);
      const malformed = await t.http.post('/api/v1/users/me/mfa/totp/confirm', { code: '12ab56' }, asUser);
      expect([malformed.status, malformed.body.error]).toEqual([400, 'VALIDATION_FAILED']);

      const confirmed = await t.http.post('/api/v1/users/me/mfa/totp/confirm', { code: codeNow(secret) }, asUser);
      expect(confirmed.status).toBe(200);
      const codes: string[] = confirmed.body.data.recovery_codes;
      expect(codes).toHaveLength(10);
      expect(new Set(codes).size).toBe(10);
      for (const code of codes) expect(code).toMatch(/^[0-9a-z]{5}-[0-9a-z]{5}$/);

      expect((await t.http.get('/api/v1/users/me', asUser)).body.data.mfa_enabled).toBe(true);
      expect((await t.http.get('/api/v1/users/me/mfa', asUser)).body.data).toEqual({
        totp_enabled: true,
        recovery_codes_left: 10,
        required: false,
      });
      const again = await t.http.post('/api/v1/users/me/mfa/totp', { password: u.password }, asUser);
      expect([again.status, again.body.error]).toEqual([409, 'MFA_ALREADY_ENABLED']);
      const reconfirm = await t.http.post('/api/v1/users/me/mfa/totp/confirm', { code: codeNow(secret, 1) }, asUser);
      expect([reconfirm.status, reconfirm.body.error]).toEqual([409, 'MFA_ALREADY_ENABLED']);

      // Stored: the sealed secret and keyed digests; never a code or the secret in clear.
      const [stored] = await ds.query('SELECT totp_secret, pending_secret, last_used_step FROM user_mfa WHERE user_id = ?', [u.id]);
      expect(stored.totp_secret).toMatch(/^v1\./);
      expect(stored.pending_secret).toBeNull();
      expect(Number(stored.last_used_step)).toBeGreaterThanOrEqual(stepAt(Date.now()) - 1);
      const hashes = await ds.query('SELECT code_hash FROM mfa_recovery_codes WHERE user_id = ?', [u.id]);
      expect(hashes).toHaveLength(10);
      const plain = codes.map((c) => c.replace('-', ''));
      for (const { code_hash: hash } of hashes) {
        expect(hash).toMatch(/^[0-9a-f]{64}$/);
        expect(plain.some((c) => hash.includes(c))).toBe(false);
      }
      // The wrong password, the wrong code, the confirmation.
      const enabled = await audits('user.mfa.enable', u.id);
      expect(enabled.map((a: { success: unknown }) => Number(a.success))).toEqual([0, 0, 1]);
    });

    it('a confirmation without a pending secret is 409 MFA_NOT_ENABLED', async () => {
      const u = await registerAndLogin(t.http);
      const res = await t.http.post('/api/v1/users/me/mfa/totp/confirm', { code: '123456' }, { token: u.access_token });
      expect([res.status, res.body.error]).toEqual([409, 'MFA_NOT_ENABLED']);
    });
  });

  describe('POST /auth/login → POST /auth/login/mfa', () => {
    it('asks for the second factor instead of answering tokens; a code completes the login, once', async () => {
      const u = await enrolled();
      const res = await t.http.post('/api/v1/auth/login', { username: u.username, password: u.password });
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({
        mfa_required: true,
        mfa_enrolment_required: false,
        mfa_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        mfa_methods: ['totp', 'recovery_code'],
        expires_in: 300,
      });
      const token = res.body.data.mfa_token;

      const done = await second({ mfa_token: token, code: await u.device.next() });
      expect(done.status, JSON.stringify(done.body)).toBe(200);
      expect(done.body.data).toMatchObject({
        mfa_required: false,
        token_type: 'Bearer',
        expires_in: 900,
        user: { id: u.id, mfa_enabled: true },
      });
      expect(done.body.data.recovery_codes).toBeUndefined();
      const me = await t.http.get('/api/v1/users/me', { token: done.body.data.access_token });
      expect([me.status, me.body.data.id]).toEqual([200, u.id]);

      const spent = await second({ mfa_token: token, code: u.device.last() });
      expect([spent.status, spent.body.error]).toEqual([401, 'INVALID_MFA_TOKEN']);
      const unknown = await second({ mfa_token: 'no-such-token', code: '123456' });
      expect([unknown.status, unknown.body.error]).toEqual([401, 'INVALID_MFA_TOKEN']);

      expect((await audits('auth.mfa.success', u.id)).map((a: { detail: string }) => JSON.parse(a.detail))).toEqual([{ method: 'totp' }]);
      expect(await audits('auth.login.success', u.id)).toHaveLength(2); // registerAndLogin, and this one
    });

    it('refuses a replayed code: a time step is accepted once', async () => {
      const u = await enrolled();
      const confirmCode = u.device.last();
      const token = await challenge(u.username);
      // The code that confirmed the enrolment cannot sign in.
      const replayed = await second({ mfa_token: token, code: confirmCode });
      expect([replayed.status, replayed.body.error]).toEqual([401, 'INVALID_MFA_CODE']);
      const fresh = await second({ mfa_token: token, code: await u.device.next() });
      expect(fresh.status).toBe(200);
      // Nor the code of that sign-in, at the next one.
      const again = await second({ mfa_token: await challenge(u.username), code: u.device.last() });
      expect([again.status, again.body.error]).toEqual([401, 'INVALID_MFA_CODE']);
    });

    it('takes codes one step either side of now, not two', async () => {
      const u = await enrolled();
      // Forget the step the enrolment used, so only the time window can refuse what follows.
      await ds.query('UPDATE user_mfa SET last_used_step = NULL WHERE user_id = ?', [u.id]);
      const token = await challenge(u.username);
      await awayFromStepBoundary();
      const twoAgo = await second({ mfa_token: token, code: codeNow(u.device.secret, -2) });
      expect([twoAgo.status, twoAgo.body.error]).toEqual([401, 'INVALID_MFA_CODE']);
      const twoAhead = await second({ mfa_token: token, code: codeNow(u.device.secret, 2) });
      expect([twoAhead.status, twoAhead.body.error]).toEqual([401, 'INVALID_MFA_CODE']);
      const oneAgo = await second({ mfa_token: token, code: codeNow(u.device.secret, -1) });
      expect(oneAgo.status, JSON.stringify(oneAgo.body)).toBe(200);
    });

    it('signs in with a recovery code, each once, however it is typed', async () => {
      const u = await enrolled();
      const [first, other] = u.recoveryCodes;
      const typed = ` ${first.replace('-', '').toUpperCase()} `;
      const done = await second({ mfa_token: await challenge(u.username), recovery_code: typed });
      expect(done.status, JSON.stringify(done.body)).toBe(200);
      expect(done.body.data.user.id).toBe(u.id);
      expect((await t.http.get('/api/v1/users/me/mfa', { token: done.body.data.access_token })).body.data.recovery_codes_left).toBe(9);

      const token = await challenge(u.username);
      const reused = await second({ mfa_token: token, recovery_code: first });
      expect([reused.status, reused.body.error]).toEqual([401, 'INVALID_MFA_CODE']);
      expect((await second({ mfa_token: token, recovery_code: other })).status).toBe(200);
      const success = (await audits('auth.mfa.success', u.id)).map((a: { detail: string }) => JSON.parse(a.detail));
      expect(success).toEqual([
        { method: 'recovery_code', recovery_codes_left: 9 },
        { method: 'recovery_code', recovery_codes_left: 8 },
      ]);
    });

    it('needs exactly one of code and recovery_code, well-formed', async () => {
      const u = await enrolled();
      const token = await challenge(u.username);
      for (const body of [
        { mfa_token: token },
        { mfa_token: token, code: '123456', recovery_code: u.recoveryCodes[0] },
        { mfa_token: token, code: '12345' },
        { mfa_token: token, code: 123456 },
        { code: '123456' },
        { mfa_token: token, code: '123456', extra: true },
      ]) {
        const res = await second(body);
        expect([res.status, res.body.error], JSON.stringify(body)).toEqual([400, 'VALIDATION_FAILED']);
      }
      // Bad input spends nothing: the token still works.
      expect((await second({ mfa_token: token, code: await u.device.next() })).status).toBe(200);
    });

    it('burns the mfa_token after 5 wrong codes, even for the right one next', async () => {
      const u = await enrolled();
      const token = await challenge(u.username);
      const wrong = wrongCode(u.device.secret);
      for (let i = 0; i < 5; i++) {
        const res = await second({ mfa_token: token, code: wrong });
        expect([res.status, res.body.error], `wrong code ${i + 1}`).toEqual([401, 'INVALID_MFA_CODE']);
      }
      const right = await second({ mfa_token: token, code: await u.device.next() });
      expect([right.status, right.body.error]).toEqual([401, 'INVALID_MFA_TOKEN']);
      const failures = (await audits('auth.mfa.failure', u.id)).map((a: { detail: string }) => JSON.parse(a.detail));
      expect(failures.map((d: { wrong_codes: number }) => d.wrong_codes)).toEqual([1, 2, 3, 4, 5]);
      expect(failures.map((d: { failed_attempts: number }) => d.failed_attempts)).toEqual([1, 2, 3, 4, 5]);
      // A new sign-in gets a new token (the account, at 5 of 6 failures, is not locked).
      expect((await second({ mfa_token: await challenge(u.username), code: u.device.last() })).status).toBe(200);
    });

    it('counts wrong codes as failed sign-ins of the account: they lock it, and the password does not reset them', async () => {
      const u = await enrolled();
      const wrong = wrongCode(u.device.secret);
      const first = await challenge(u.username);
      for (let i = 0; i < 5; i++) expect((await second({ mfa_token: first, code: wrong })).body.error).toBe('INVALID_MFA_CODE');
      // The right password again: a new token, but the five failures still count.
      const token = await challenge(u.username);
      const sixth = await second({ mfa_token: token, code: wrong });
      expect([sixth.status, sixth.body.error]).toEqual([401, 'INVALID_MFA_CODE']); // the failure that reaches the limit still answers 401
      const locked = await second({ mfa_token: token, code: await u.device.next() });
      expect([locked.status, locked.body.error]).toEqual([403, 'ACCOUNT_LOCKED']);
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
      const password = await t.http.post('/api/v1/auth/login', { username: u.email, password: u.password });
      expect([password.status, password.body.error]).toEqual([403, 'ACCOUNT_LOCKED']);
      const status = await t.http.get('/api/v1/users/login-status', { token: admin.access_token, query: { username: u.username } });
      expect(status.body.data).toMatchObject({ failed_attempts: 6, locked: true });
      expect(await audits('auth.locked', u.id)).toHaveLength(1);
      // An administrator's unlock lets the user in again, with a code.
      expect((await t.http.post(`/api/v1/users/${u.id}/unlock`, {}, { token: admin.access_token })).status).toBe(200);
      expect((await second({ mfa_token: await challenge(u.username), code: u.device.last() })).status).toBe(200);
    });

    it('voids the mfa_token when the password changes before the second step', async () => {
      const u = await enrolled();
      const token = await challenge(u.username);
      const set = await t.http.put(
        `/api/v1/users/${u.id}/password`,
        { new_password: 'An0ther-g00d-passphrase' },
        { token: admin.access_token },
      );
      expect(set.status).toBe(200);
      const res = await second({ mfa_token: token, code: await u.device.next() });
      expect([res.status, res.body.error]).toEqual([401, 'INVALID_MFA_TOKEN']);
      expect((await audits('auth.mfa.failure', u.id)).map((a: { detail: string }) => JSON.parse(a.detail).reason)).toEqual(['stale']);
    });

    it('upgrades a legacy bcrypt hash at the password step; the second step still completes', async () => {
      const u = await enrolled();
      await ds.query('UPDATE users SET password_hash = ? WHERE id = ?', [await bcrypt.hash(u.password, 4), u.id]);
      const token = await challenge(u.username);
      const [row] = await ds.query('SELECT password_hash FROM users WHERE id = ?', [u.id]);
      expect(row.password_hash).toMatch(/^\$argon2id\$/);
      expect((await second({ mfa_token: token, code: await u.device.next() })).status).toBe(200);
    });
  });

  describe('recovery codes and turning the factor off', () => {
    it('makes a new set with the password; the old set stops working', async () => {
      const u = await enrolled();
      const asUser = { token: u.access_token };
      const wrong = await t.http.post('/api/v1/users/me/mfa/recovery-codes', { password: 'Not-the-password-1' }, asUser);
      expect([wrong.status, wrong.body.error]).toEqual([400, 'WRONG_PASSWORD']);
      const fresh = await t.http.post('/api/v1/users/me/mfa/recovery-codes', { password: u.password }, asUser);
      expect(fresh.status).toBe(200);
      const codes: string[] = fresh.body.data.recovery_codes;
      expect(codes).toHaveLength(10);
      expect(codes.some((c) => u.recoveryCodes.includes(c))).toBe(false);
      const token = await challenge(u.username);
      expect((await second({ mfa_token: token, recovery_code: u.recoveryCodes[0] })).body.error).toBe('INVALID_MFA_CODE');
      expect((await second({ mfa_token: token, recovery_code: codes[0] })).status).toBe(200);
      expect(await audits('user.mfa.recovery_codes', u.id)).toHaveLength(2); // the wrong password, then the new set
      const plain = await registerAndLogin(t.http);
      const none = await t.http.post('/api/v1/users/me/mfa/recovery-codes', { password: plain.password }, { token: plain.access_token });
      expect([none.status, none.body.error]).toEqual([409, 'MFA_NOT_ENABLED']);
    });

    it('turns off with the password and a current code (either wrong counts as a failure); the password alone signs in again', async () => {
      const u = await enrolled();
      const asUser = { token: u.access_token };
      const wrongCodeRes = await t.http.delete('/api/v1/users/me/mfa/totp', {
        ...asUser,
        json: { password: u.password, code: wrongCode(u.device.secret) },
      });
      expect([wrongCodeRes.status, wrongCodeRes.body.error]).toEqual([401, 'INVALID_MFA_CODE']);
      const wrongPassword = await t.http.delete('/api/v1/users/me/mfa/totp', {
        ...asUser,
        json: { password: 'Not-the-password-1', code: '123456' },
      });
      expect([wrongPassword.status, wrongPassword.body.error]).toEqual([400, 'WRONG_PASSWORD']);
      const status = await t.http.get('/api/v1/users/login-status', { token: admin.access_token, query: { username: u.username } });
      expect(status.body.data.failed_attempts).toBe(2);
      const missing = await t.http.delete('/api/v1/users/me/mfa/totp', { ...asUser, json: { password: u.password } });
      expect([missing.status, missing.body.error]).toEqual([400, 'VALIDATION_FAILED']);

      const off = await t.http.delete('/api/v1/users/me/mfa/totp', {
        ...asUser,
        json: { password: u.password, code: await u.device.next() },
      });
      expect([off.status, off.body.data]).toEqual([200, null]);
      expect((await t.http.get('/api/v1/users/me', asUser)).body.data.mfa_enabled).toBe(false);
      expect((await t.http.get('/api/v1/users/me/mfa', asUser)).body.data).toEqual({
        totp_enabled: false,
        recovery_codes_left: 0,
        required: false,
      });
      expect(await ds.query('SELECT id FROM mfa_recovery_codes WHERE user_id = ?', [u.id])).toEqual([]);
      const plain = await t.http.post('/api/v1/auth/login', { username: u.username, password: u.password });
      expect(plain.body.data).toMatchObject({ mfa_required: false, token_type: 'Bearer' });
      const disabled = await audits('user.mfa.disable', u.id);
      expect(disabled.map((a: { success: unknown }) => Number(a.success))).toEqual([0, 0, 1]);
      const again = await t.http.delete('/api/v1/users/me/mfa/totp', { ...asUser, json: { password: u.password, code: '123456' } });
      expect([again.status, again.body.error]).toEqual([409, 'MFA_NOT_ENABLED']);
    });
  });

  describe('DELETE /users/:id/mfa (an administrator, for a lost phone)', () => {
    it('removes the factor, audited; the password alone signs in; a pending mfa_token dies with it', async () => {
      const u = await enrolled();
      const asAdmin = { token: admin.access_token };
      const shown = await t.http.get(`/api/v1/users/${u.id}`, asAdmin);
      expect(shown.body.data.mfa_enabled).toBe(true);
      expect(shown.text).not.toMatch(/secret|totp|recovery/i);
      const token = await challenge(u.username);

      const reset = await t.http.delete(`/api/v1/users/${u.id}/mfa`, asAdmin);
      expect([reset.status, reset.body.data]).toEqual([200, null]);
      expect((await t.http.get(`/api/v1/users/${u.id}`, asAdmin)).body.data.mfa_enabled).toBe(false);
      const [entry] = await audits('user.mfa.reset', u.id);
      expect(entry).toMatchObject({ actor_id: (await t.http.get('/api/v1/users/me', asAdmin)).body.data.id });
      expect(JSON.parse(entry.detail)).toEqual({ recovery_codes_dropped: 10 });

      expect((await second({ mfa_token: token, code: await u.device.next() })).body.error).toBe('INVALID_MFA_TOKEN');
      const plain = await t.http.post('/api/v1/auth/login', { username: u.username, password: u.password });
      expect(plain.body.data).toMatchObject({ mfa_required: false, user: { mfa_enabled: false } });
      const again = await t.http.delete(`/api/v1/users/${u.id}/mfa`, asAdmin);
      expect([again.status, again.body.error]).toEqual([409, 'MFA_NOT_ENABLED']);
    });

    it('is user:update with the escalation rules: 404, 403 for a user out of reach, 409 for oneself', async () => {
      const asAdmin = { token: admin.access_token };
      expect((await t.http.delete('/api/v1/users/00000000-0000-4000-8000-000000000000/mfa', asAdmin)).status).toBe(404);
      expect((await t.http.delete('/api/v1/users/not-a-uuid/mfa', asAdmin)).status).toBe(404);
      const adminId = (await t.http.get('/api/v1/users/me', asAdmin)).body.data.id;
      const self = await t.http.delete(`/api/v1/users/${adminId}/mfa`, asAdmin);
      expect([self.status, self.body.error]).toEqual([409, 'PROTECTED_RESOURCE']);

      const plainUser = await registerAndLogin(t.http);
      const noPermission = await t.http.delete(`/api/v1/users/${plainUser.id}/mfa`, { token: plainUser.access_token });
      expect([noPermission.status, noPermission.body.error]).toEqual([403, 'FORBIDDEN']);
      // An ADMIN (not SUPER_ADMIN) cannot touch a SUPER_ADMIN.
      const deputy = await userWithRoles(t.http, admin.access_token, ['ADMIN']);
      const upward = await t.http.delete(`/api/v1/users/${adminId}/mfa`, { token: deputy.access_token });
      expect([upward.status, upward.body.error]).toEqual([403, 'FORBIDDEN']);
      const target = await enrolled();
      expect((await t.http.delete(`/api/v1/users/${target.id}/mfa`, { token: deputy.access_token })).status).toBe(200);
    });
  });

  describe(`MFA_REQUIRED_ROLES=${GUARDED_ROLE}`, () => {
    it('makes a holder without a second factor enrol at sign-in, with no way around it', async () => {
      const { id, username } = await createUser(t.http, admin.access_token, {
        role_ids: [await idOf(t.http, admin.access_token, 'roles', GUARDED_ROLE)],
      });

      const login = await t.http.post('/api/v1/auth/login', { username, password: PASSWORD });
      expect(login.status).toBe(200);
      expect(login.body.data).toEqual({
        mfa_required: true,
        mfa_enrolment_required: true,
        mfa_token: expect.any(String),
        mfa_methods: ['totp'],
        expires_in: 300,
      });
      const token = login.body.data.mfa_token;
      // Nothing to check a code against before the enrolment; a recovery code cannot enrol.
      const early = await second({ mfa_token: token, code: '123456' });
      expect([early.status, early.body.error]).toEqual([409, 'MFA_NOT_ENABLED']);
      const recovery = await second({ mfa_token: token, recovery_code: '7k2m9-q4x8h' });
      expect([recovery.status, recovery.body.error]).toEqual([400, 'VALIDATION_FAILED']);
      const bogus = await t.http.post('/api/v1/auth/login/mfa/enrol', { mfa_token: 'no-such-token' });
      expect([bogus.status, bogus.body.error]).toEqual([401, 'INVALID_MFA_TOKEN']);

      const enrol = await t.http.post('/api/v1/auth/login/mfa/enrol', { mfa_token: token });
      expect(enrol.status).toBe(200);
      expect(Object.keys(enrol.body.data).sort()).toEqual(['otpauth_url', 'qr_code', 'secret']);
      const device = new TotpDevice(enrol.body.data.secret);
      const wrong = await second({ mfa_token: token, code: wrongCode(device.secret) });
      expect([wrong.status, wrong.body.error]).toEqual([401, 'INVALID_MFA_CODE']);
      const done = await second({ mfa_token: token, code: await device.next() });
      expect(done.status, JSON.stringify(done.body)).toBe(200);
      expect(done.body.data).toMatchObject({ mfa_required: false, token_type: 'Bearer', user: { id, mfa_enabled: true } });
      expect(done.body.data.recovery_codes).toHaveLength(10);
      const asUser = { token: done.body.data.access_token };
      expect((await t.http.get('/api/v1/users/me/mfa', asUser)).body.data).toEqual({
        totp_enabled: true,
        recovery_codes_left: 10,
        required: true,
      });
      const enabled = (await audits('user.mfa.enable', id)).map((a: { detail: string }) => JSON.parse(a.detail));
      expect(enabled).toEqual([{ during_login: true }]);

      // No way around it: the user cannot turn it off, and the next sign-in asks for a code.
      const off = await t.http.delete('/api/v1/users/me/mfa/totp', {
        ...asUser,
        json: { password: PASSWORD, code: codeNow(device.secret) },
      });
      expect([off.status, off.body.error]).toEqual([409, 'PROTECTED_RESOURCE']);
      const next = await t.http.post('/api/v1/auth/login', { username, password: PASSWORD });
      expect(next.body.data).toMatchObject({ mfa_required: true, mfa_enrolment_required: false, mfa_methods: ['totp', 'recovery_code'] });
      const notEnrolment = await t.http.post('/api/v1/auth/login/mfa/enrol', { mfa_token: next.body.data.mfa_token });
      expect([notEnrolment.status, notEnrolment.body.error]).toEqual([409, 'MFA_ALREADY_ENABLED']);

      // After an administrator's reset (a lost phone), the next sign-in enrols again.
      expect((await t.http.delete(`/api/v1/users/${id}/mfa`, { token: admin.access_token })).status).toBe(200);
      const reenrol = await t.http.post('/api/v1/auth/login', { username, password: PASSWORD });
      expect(reenrol.body.data).toMatchObject({ mfa_required: true, mfa_enrolment_required: true });
      expect(reenrol.body.data.access_token).toBeUndefined();
    });
  });

  describe('the reusable step, as the OAuth doors call it (SignInService)', () => {
    const ctx: RequestContext = { ip: '127.0.0.1', userAgent: 'test', locale: 'en', requestId: 'test' };
    const errorOf = (p: Promise<unknown>) =>
      p.then(
        () => 'resolved',
        (err: { code?: string; message: string }) => err.code ?? err.message,
      );

    it('binds the mfa_token to its client; refuses to finish while a factor is owed', async () => {
      const signIn = t.app.get(SignInService);
      const u = await enrolled();
      const proved = await signIn.prove({ login: u.username, password: u.password }, ctx, 'client-a');
      expect(proved.secondFactor).toBe('totp');
      expect(await errorOf(signIn.finish(proved, ctx, { clientId: 'client-a', kind: 'oauth' }))).toMatch(/second factor is owed/);

      const fromA = await signIn.challenge(proved, ctx, 'client-a');
      expect(fromA).toMatchObject({ mfa_methods: ['totp', 'recovery_code'], expires_in: 300, enrolment_required: false });
      // Presented at the API door (no client) or by another client: refused, and burnt.
      expect(await errorOf(signIn.completeChallenge({ mfaToken: fromA!.mfa_token, code: await u.device.next() }, ctx))).toBe(
        'INVALID_MFA_TOKEN',
      );
      expect(await errorOf(signIn.completeChallenge({ mfaToken: fromA!.mfa_token, code: u.device.last() }, ctx, 'client-a'))).toBe(
        'INVALID_MFA_TOKEN',
      );

      const again = await signIn.challenge(
        await signIn.prove({ login: u.username, password: u.password }, ctx, 'client-a'),
        ctx,
        'client-a',
      );
      const otherClient = await errorOf(signIn.completeChallenge({ mfaToken: again!.mfa_token, code: u.device.last() }, ctx, 'client-b'));
      expect(otherClient).toBe('INVALID_MFA_TOKEN');
      const third = await signIn.challenge(
        await signIn.prove({ login: u.username, password: u.password }, ctx, 'client-a'),
        ctx,
        'client-a',
      );
      const { proved: done } = await signIn.completeChallenge(
        { mfaToken: third!.mfa_token, recoveryCode: u.recoveryCodes[0] },
        ctx,
        'client-a',
      );
      expect(done).toMatchObject({ secondFactor: 'none', user: { id: u.id } });
      expect(done.password).toBeUndefined();
      const session = await signIn.finish(done, ctx, { clientId: 'client-a', kind: 'oauth' });
      expect(session.userId).toBe(u.id);
      const reasons = (await audits('auth.mfa.failure', u.id)).map((a: { detail: string }) => JSON.parse(a.detail));
      expect(reasons).toEqual([
        { method: 'totp', reason: 'wrong_client' },
        { method: 'totp', reason: 'wrong_client', client_id: 'client-b' },
      ]);
      const success = (await audits('auth.mfa.success', u.id)).map((a: { detail: string }) => JSON.parse(a.detail));
      expect(success).toEqual([{ method: 'recovery_code', recovery_codes_left: 9, client_id: 'client-a' }]);
    });

    it('needs no second step for a user without a factor', async () => {
      const signIn = t.app.get(SignInService);
      const plain = await registerAndLogin(t.http);
      const proved = await signIn.prove({ login: plain.username, password: plain.password }, ctx);
      expect(proved.secondFactor).toBe('none');
      expect(await signIn.challenge(proved, ctx)).toBeNull();
    });
  });

  it('answers what openapi.json documents, on every second-factor route', async () => {
    const doc = JSON.parse(await readFile('openapi.json', 'utf8')) as OpenAPIObject;
    const seen: string[] = [];
    const conforms = (method: string, path: string, res: Res) => {
      seen.push(`${method} ${path} ${res.status}`);
      expect(schemaViolations(doc, responseSchema(doc, `/api/v1${path}`, method, res.status), res.body), `${method} ${path}`).toEqual([]);
    };
    const u = await registerAndLogin(t.http);
    const asUser = { token: u.access_token };
    conforms('get', '/users/me/mfa', await t.http.get('/api/v1/users/me/mfa', asUser));
    const begun = await t.http.post('/api/v1/users/me/mfa/totp', { password: u.password }, asUser);
    conforms('post', '/users/me/mfa/totp', begun);
    const device = new TotpDevice(begun.body.data.secret);
    conforms(
      'post',
      '/users/me/mfa/totp/confirm',
      await t.http.post('/api/v1/users/me/mfa/totp/confirm', { code: await device.next() }, asUser),
    );
    conforms(
      'post',
      '/users/me/mfa/recovery-codes',
      await t.http.post('/api/v1/users/me/mfa/recovery-codes', { password: u.password }, asUser),
    );
    const login = await t.http.post('/api/v1/auth/login', { username: u.username, password: u.password });
    conforms('post', '/auth/login', login);
    conforms('post', '/auth/login/mfa', await second({ mfa_token: login.body.data.mfa_token, code: wrongCode(device.secret) }));
    conforms('post', '/auth/login/mfa', await second({ mfa_token: login.body.data.mfa_token, code: await device.next() }));
    conforms('post', '/auth/login/mfa', await second({ mfa_token: login.body.data.mfa_token, code: device.last() }));
    conforms('delete', '/users/{id}/mfa', await t.http.delete(`/api/v1/users/${u.id}/mfa`, { token: admin.access_token }));

    const { username } = await createUser(t.http, admin.access_token, {
      role_ids: [await idOf(t.http, admin.access_token, 'roles', GUARDED_ROLE)],
    });
    const forced = await t.http.post('/api/v1/auth/login', { username, password: PASSWORD });
    conforms('post', '/auth/login', forced);
    const enrol = await t.http.post('/api/v1/auth/login/mfa/enrol', { mfa_token: forced.body.data.mfa_token });
    conforms('post', '/auth/login/mfa/enrol', enrol);
    const enrolled = await second({ mfa_token: forced.body.data.mfa_token, code: codeNow(enrol.body.data.secret) });
    expect(enrolled.body.data.recovery_codes).toHaveLength(10);
    conforms('post', '/auth/login/mfa', enrolled);
    const asGuarded = { token: enrolled.body.data.access_token };
    conforms(
      'delete',
      '/users/me/mfa/totp',
      await t.http.delete('/api/v1/users/me/mfa/totp', { ...asGuarded, json: { password: PASSWORD, code: '123456' } }),
    );
    expect(seen).toEqual([
      'get /users/me/mfa 200',
      'post /users/me/mfa/totp 200',
      'post /users/me/mfa/totp/confirm 200',
      'post /users/me/mfa/recovery-codes 200',
      'post /auth/login 200',
      'post /auth/login/mfa 401',
      'post /auth/login/mfa 200',
      'post /auth/login/mfa 401',
      'delete /users/{id}/mfa 200',
      'post /auth/login 200',
      'post /auth/login/mfa/enrol 200',
      'post /auth/login/mfa 200',
      'delete /users/me/mfa/totp 409',
    ]);
  });

  it('never shows a secret, code or hash in a user object', async () => {
    const u = await enrolled();
    for (const res of [
      await t.http.get('/api/v1/users/me', { token: u.access_token }),
      await t.http.get(`/api/v1/users/${u.id}`, { token: admin.access_token }),
      await t.http.get('/api/v1/users', { token: admin.access_token, query: { keyword: u.username } }),
    ]) {
      expect(res.status).toBe(200);
      expect(res.text).toContain('"mfa_enabled":true');
      expect(res.text).not.toContain(u.device.secret);
      expect(res.text).not.toMatch(/secret|recovery|totp|hash|argon/i);
    }
  });
});
