import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/app.config.js';
import { AppException } from '../common/errors/app.exception.js';
import { TokenService, type AccessTokenKeys } from './token.service.js';

/** One real ES256 key pair and one RSA pair, as the KeyStore would hold them. */
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const published: Record<string, { alg: string; publicKey: KeyObject }> = {
  'ec-1': { alg: 'ES256', publicKey: ec.publicKey },
  'rsa-1': { alg: 'RS256', publicKey: rsa.publicKey },
};
const keys: AccessTokenKeys = {
  signingKey: () => ({ kid: 'ec-1', privateKey: ec.privateKey }),
  verificationKey: (kid) => published[kid],
};

const REFRESH_SECRET = 'r'.repeat(40);
const config = loadConfig({ JWT_REFRESH_SECRET: REFRESH_SECRET, ACCESS_TOKEN_TTL: '60' });
const tokens = new TokenService(config, keys);
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as AppException).code;
  }
  return 'no error';
};
const session = () => ({ id: 'session-1', expiresAt: new Date(Date.now() + 3600_000), endsAt: new Date(Date.now() + 7200_000) });
const es256 = (claims: object, kid = 'ec-1') => jwt.sign(claims, ec.privateKey, { algorithm: 'ES256', keyid: kid });

describe('TokenService', () => {
  const pair = tokens.issuePair('user-1', session(), 'jti-1');

  it('issues a pair with the claims of docs/api.md §6: the access token ES256 with the active kid', () => {
    expect(pair).toMatchObject({ token_type: 'Bearer', expires_in: 60 });
    expect(pair.refresh_expires_in).toBeGreaterThan(3590);
    expect(jwt.decode(pair.access_token, { complete: true })?.header).toMatchObject({ alg: 'ES256', kid: 'ec-1' });
    expect(jwt.decode(pair.refresh_token, { complete: true })?.header).toMatchObject({ alg: 'HS256' });
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

  it('gives every access token its own jti, and the refresh token the session end', () => {
    const again = tokens.issuePair('user-1', session(), 'jti-1');
    expect(tokens.verify(again.access_token, 'access').jti).not.toBe(tokens.verify(pair.access_token, 'access').jti);
    expect(tokens.verify(again.refresh_token, 'refresh').sxp).toBeGreaterThan(Date.now() / 1000 + 7000);
  });

  it('tells the kinds apart: INVALID_TOKEN_TYPE', () => {
    expect(code(() => tokens.verify(pair.refresh_token, 'access'))).toBe('INVALID_TOKEN_TYPE');
    expect(code(() => tokens.verify(pair.access_token, 'refresh'))).toBe('INVALID_TOKEN_TYPE');
  });

  it('refuses alg none, HMAC (even keyed with the public key), unknown kids, other keys, issuers and audiences: INVALID_TOKEN', () => {
    const claims = jwt.decode(pair.access_token) as jwt.JwtPayload;
    const none = `${Buffer.from('{"alg":"none","typ":"JWT","kid":"ec-1"}').toString('base64url')}.${pair.access_token.split('.')[1]}.`;
    expect(code(() => tokens.verify(none, 'access'))).toBe('INVALID_TOKEN');
    // Algorithm confusion: an HS256 token whose HMAC key is the published public key.
    const pem = ec.publicKey.export({ type: 'spki', format: 'pem' });
    const confused = jwt.sign(claims, pem, { algorithm: 'HS256', keyid: 'ec-1', allowInsecureKeySizes: true } as jwt.SignOptions);
    expect(code(() => tokens.verify(confused, 'access'))).toBe('INVALID_TOKEN');
    expect(code(() => tokens.verify(es256(claims, 'unknown-kid'), 'access'))).toBe('INVALID_TOKEN');
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(code(() => tokens.verify(jwt.sign(claims, stranger.privateKey, { algorithm: 'ES256', keyid: 'ec-1' }), 'access'))).toBe(
      'INVALID_TOKEN',
    );
    // The RSA key is published; a token it signed with another kid's name does not verify.
    expect(code(() => tokens.verify(jwt.sign(claims, rsa.privateKey, { algorithm: 'RS256', keyid: 'ec-1' }), 'access'))).toBe(
      'INVALID_TOKEN',
    );
    expect(tokens.verify(jwt.sign(claims, rsa.privateKey, { algorithm: 'RS256', keyid: 'rsa-1' }), 'access').sub).toBe('user-1');
    expect(code(() => tokens.verify(es256({ ...claims, iss: 'x' }), 'access'))).toBe('INVALID_TOKEN');
    expect(code(() => tokens.verify(es256({ ...claims, aud: 'x' }), 'access'))).toBe('INVALID_TOKEN');
    expect(code(() => tokens.verify('x.y.z', 'access'))).toBe('INVALID_TOKEN');
  });

  it('refuses a token whose typ claim disagrees with its kind, and one without exp', () => {
    const claims = jwt.decode(pair.access_token) as jwt.JwtPayload;
    expect(code(() => tokens.verify(es256({ ...claims, typ: 'refresh' }), 'access'))).toBe('INVALID_TOKEN_TYPE');
    const { exp: _exp, ...forever } = claims;
    expect(code(() => tokens.verify(es256(forever), 'access'))).toBe('INVALID_TOKEN');
  });

  it('answers expiry with TOKEN_EXPIRED, but only for a genuine token', () => {
    const claims = jwt.decode(pair.access_token) as jwt.JwtPayload;
    const past = Math.floor(Date.now() / 1000) - 100;
    expect(code(() => tokens.verify(es256({ ...claims, iat: past - 60, nbf: past - 60, exp: past }), 'access'))).toBe('TOKEN_EXPIRED');
    expect(code(() => tokens.verify(jwt.sign({ ...claims, iat: past - 60, nbf: past - 60, exp: past }, 'guess'), 'access'))).toBe(
      'INVALID_TOKEN',
    );
  });

  it('keeps the refresh secret as a KeyObject (jsonwebtoken is 40× slower with strings)', () => {
    const key = tokens.keyFor(pair.refresh_token, 'refresh');
    expect(key?.type).toBe('secret');
    expect(tokens.keyFor(pair.access_token, 'access')?.type).toBe('public');
  });
});
