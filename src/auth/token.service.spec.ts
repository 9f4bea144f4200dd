import { JwtService } from '@nestjs/jwt';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/app.config.js';
import { AppException } from '../common/errors/app.exception.js';
import { TokenService } from './token.service.js';

const config = loadConfig({ JWT_ACCESS_SECRET: 'a'.repeat(40), JWT_REFRESH_SECRET: 'r'.repeat(40), ACCESS_TOKEN_TTL: '60' });
const tokens = new TokenService(new JwtService({}), config);
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as AppException).code;
  }
  return 'no error';
};

describe('TokenService', () => {
  const pair = tokens.issuePair(
    'user-1',
    { id: 'session-1', expiresAt: new Date(Date.now() + 3600_000), endsAt: new Date(Date.now() + 7200_000) },
    'jti-1',
  );

  it('issues a pair with the claims of docs/api.md §6', () => {
    expect(pair).toMatchObject({ token_type: 'Bearer', expires_in: 60 });
    expect(pair.refresh_expires_in).toBeGreaterThan(3590);
    const access = tokens.verify(pair.access_token, 'access');
    expect(access).toMatchObject({
      iss: 'http://localhost:3000/oauth2',
      aud: 'authcentre-api',
      sub: 'user-1',
      sid: 'session-1',
      typ: 'access',
    });
    expect(access.exp - access.iat).toBe(60);
    expect(access.nbf).toBe(access.iat);
    expect(tokens.verify(pair.refresh_token, 'refresh')).toMatchObject({ jti: 'jti-1', typ: 'refresh' });
  });

  it('gives every access token its own jti', () => {
    const again = tokens.issuePair(
      'user-1',
      { id: 'session-1', expiresAt: new Date(Date.now() + 3600_000), endsAt: new Date(Date.now() + 7200_000) },
      'jti-1',
    );
    expect(tokens.verify(again.access_token, 'access').jti).not.toBe(tokens.verify(pair.access_token, 'access').jti);
  });

  it('tells the kinds apart by key: INVALID_TOKEN_TYPE', () => {
    expect(code(() => tokens.verify(pair.refresh_token, 'access'))).toBe('INVALID_TOKEN_TYPE');
    expect(code(() => tokens.verify(pair.access_token, 'refresh'))).toBe('INVALID_TOKEN_TYPE');
  });

  it('refuses alg none, other algorithms, other keys, issuers and audiences: INVALID_TOKEN', () => {
    const claims = jwt.decode(pair.access_token) as jwt.JwtPayload;
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${pair.access_token.split('.')[1]}.`;
    expect(code(() => tokens.verify(none, 'access'))).toBe('INVALID_TOKEN');
    expect(code(() => tokens.verify(jwt.sign(claims, tokens.keys.access, { algorithm: 'HS384' }), 'access'))).toBe('INVALID_TOKEN');
    expect(code(() => tokens.verify(jwt.sign(claims, 'guess'), 'access'))).toBe('INVALID_TOKEN');
    expect(code(() => tokens.verify(jwt.sign({ ...claims, iss: 'x' }, tokens.keys.access), 'access'))).toBe('INVALID_TOKEN');
    expect(code(() => tokens.verify(jwt.sign({ ...claims, aud: 'x' }, tokens.keys.access), 'access'))).toBe('INVALID_TOKEN');
    expect(code(() => tokens.verify('x.y.z', 'access'))).toBe('INVALID_TOKEN');
  });

  it('refuses a token whose typ claim disagrees with its key', () => {
    const claims = jwt.decode(pair.access_token) as jwt.JwtPayload;
    expect(code(() => tokens.verify(jwt.sign({ ...claims, typ: 'refresh' }, tokens.keys.access), 'access'))).toBe('INVALID_TOKEN_TYPE');
  });

  it('answers expiry with TOKEN_EXPIRED, but only for a genuine token', () => {
    const claims = jwt.decode(pair.access_token) as jwt.JwtPayload;
    const past = Math.floor(Date.now() / 1000) - 100;
    expect(
      code(() => tokens.verify(jwt.sign({ ...claims, iat: past - 60, nbf: past - 60, exp: past }, tokens.keys.access), 'access')),
    ).toBe('TOKEN_EXPIRED');
    expect(code(() => tokens.verify(jwt.sign({ ...claims, iat: past - 60, nbf: past - 60, exp: past }, 'guess'), 'access'))).toBe(
      'INVALID_TOKEN',
    );
  });

  it('keeps its keys as KeyObjects (jsonwebtoken is 40× slower with strings)', () => {
    expect(tokens.keys.access.type).toBe('secret');
    expect(tokens.keys.refresh.type).toBe('secret');
    expect(tokens.keys.access.equals(tokens.keys.refresh)).toBe(false);
  });
});
