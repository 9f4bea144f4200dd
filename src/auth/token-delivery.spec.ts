import { generateKeyPairSync } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { AppException } from '../common/errors/app.exception.js';
import { loadConfig } from '../config/app.config.js';
import { isLoopbackHost, requestedDelivery, TokenDelivery } from './token-delivery.js';
import { TokenService, type AccessTokenKeys } from './token.service.js';

describe('isLoopbackHost', () => {
  it('is true for the hosts only this machine can serve', () => {
    for (const host of ['localhost', 'LOCALHOST', 'app.localhost', '127.0.0.1', '127.1.2.3', '[::1]', '::1']) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
  });

  it('is false for everything else', () => {
    for (const host of ['example.com', 'localhost.example.com', '10.0.0.1', '128.0.0.1', '127.0.0.1.nip.io', '0.0.0.0', '[::2]']) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });
});

describe('requestedDelivery', () => {
  const of = (value?: string | string[]) => requestedDelivery({ headers: value === undefined ? {} : { 'x-token-delivery': value } });

  it('reads X-Token-Delivery: absent or empty is null, cookie and body in any case', () => {
    expect(of()).toBeNull();
    expect(of('')).toBeNull();
    expect(of('cookie')).toBe('cookie');
    expect(of(' Cookie ')).toBe('cookie');
    expect(of('BODY')).toBe('body');
  });

  it('refuses anything else with 400 VALIDATION_FAILED naming the header', () => {
    for (const value of ['jar', 'cookies', ['cookie', 'cookie']]) {
      try {
        of(value);
        expect.unreachable(String(value));
      } catch (err) {
        expect(err).toBeInstanceOf(AppException);
        expect((err as AppException).code).toBe('VALIDATION_FAILED');
        expect((err as AppException).options.details).toEqual([
          {
            field: 'X-Token-Delivery',
            code: 'invalid_value',
            message: 'X-Token-Delivery must be one of: cookie, body',
            params: { values: 'cookie, body' },
          },
        ]);
      }
    }
  });
});

describe('TokenDelivery.deliver', () => {
  const config = loadConfig({ JWT_REFRESH_SECRET: 'r'.repeat(40), PUBLIC_URL: 'https://id.example.com' });
  // One real ES256 key pair, as the KeyStore would hold it: access tokens are signed with it.
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keys: AccessTokenKeys = {
    signingKey: () => ({ kid: 'ec-1', privateKey: ec.privateKey }),
    verificationKey: (kid) => (kid === 'ec-1' ? { alg: 'ES256', publicKey: ec.publicKey } : undefined),
  };
  const tokens = new TokenService(config, keys);
  const delivery = new TokenDelivery(config, tokens);
  const pairOf = (sessionId: string, jti: string) =>
    tokens.issuePair('user-1', { id: sessionId, expiresAt: new Date(Date.now() + 3600_000), endsAt: new Date(Date.now() + 7200_000) }, jti);

  /** A request with these headers, and a reply that records the cookies set on it. */
  function exchange(headers: Record<string, string> = {}) {
    const set: { name: string; value: string; options: Record<string, unknown> }[] = [];
    const reply = {
      setCookie(name: string, value: string, options: Record<string, unknown>) {
        set.push({ name, value, options });
        return reply;
      },
    };
    return { request: { headers, cookies: {} } as unknown as FastifyRequest, reply: reply as unknown as FastifyReply, set };
  }

  it('leaves a pair as it is without X-Token-Delivery: cookie', () => {
    const pair = { ...pairOf('s-1', 'j-1'), user: { id: 'user-1' } };
    for (const headers of [{}, { 'x-token-delivery': 'body' }] as Record<string, string>[]) {
      const { request, reply, set } = exchange(headers);
      expect(delivery.deliver(request, reply, pair)).toBe(pair);
      expect(set).toEqual([]);
    }
  });

  it('in cookie mode moves the refresh token into an HttpOnly cookie, beside the readable CSRF cookie', () => {
    const pair = { ...pairOf('s-1', 'j-1'), user: { id: 'user-1' } };
    const { request, reply, set } = exchange({ 'x-token-delivery': 'cookie' });
    const answer = delivery.deliver(request, reply, pair);
    expect(answer).toEqual({ ...pair, refresh_token: null, csrf_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    const common = { secure: true, sameSite: 'strict', maxAge: pair.refresh_expires_in };
    expect(set).toEqual([
      { name: 'authcentre_rt', value: pair.refresh_token, options: { ...common, httpOnly: true, path: '/api/v1/auth' } },
      { name: 'authcentre_csrf', value: answer.csrf_token, options: { ...common, httpOnly: false, path: '/' } },
    ]);
  });

  it('gives one CSRF value per session: the same through rotations, another for another session', () => {
    const csrfOf = (sessionId: string, jti: string) =>
      (
        delivery.deliver(exchange({ 'x-token-delivery': 'cookie' }).request, exchange().reply, pairOf(sessionId, jti)) as {
          csrf_token: string;
        }
      ).csrf_token;
    expect(csrfOf('s-1', 'j-1')).toBe(csrfOf('s-1', 'j-2'));
    expect(csrfOf('s-1', 'j-1')).not.toBe(csrfOf('s-2', 'j-1'));
  });

  it('passes an answer without tokens (a second-factor challenge) through untouched', () => {
    const challenge = { mfa_required: true, mfa_token: 'opaque', expires_in: 300 };
    const { request, reply, set } = exchange({ 'x-token-delivery': 'cookie' });
    expect(delivery.deliver(request, reply, challenge)).toBe(challenge);
    expect(set).toEqual([]);
  });
});
