import jwt from 'jsonwebtoken';
import { KeyStore } from '../../src/keys/key-store.js';
import type { TestApp } from './app.js';

/**
 * Signs `claims` as the app's own access tokens are signed: ES256 with its active key and
 * `kid` (tests forge tokens with the app's key to prove the checks beyond the signature).
 */
export function signAccess(t: TestApp, claims: object, options: jwt.SignOptions = {}): string {
  const key = t.app.get(KeyStore).signingKey('ES256');
  return jwt.sign(claims, key.privateKey, { algorithm: 'ES256', keyid: key.kid, noTimestamp: true, ...options });
}

/** Signs `claims` with the app's refresh secret, as its refresh tokens are. */
export function signRefresh(t: TestApp, claims: object): string {
  return jwt.sign(claims, t.config.jwt.refreshSecret!, { algorithm: 'HS256', noTimestamp: true });
}

/** The app's active ES256 public key in PEM: what an algorithm-confusion attacker would use as an HMAC secret. */
export function publicKeyPem(t: TestApp): string {
  return t.app.get(KeyStore).signingKey('ES256').publicKey.export({ type: 'spki', format: 'pem' }) as string;
}
