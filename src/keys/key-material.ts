import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { Sealer } from '../common/crypto/sealer.js';
import type { SigningAlg } from './signing-key.entity.js';

const generate = promisify(generateKeyPair);

export const SIGNING_ALGS: readonly SigningAlg[] = ['ES256', 'RS256', 'EdDSA'];

/** A new key pair of `alg` (in libuv's pool, off the event loop: RSA takes tens of ms). */
async function newPair(alg: SigningAlg): Promise<{ privateKey: KeyObject; publicKey: KeyObject }> {
  switch (alg) {
    case 'ES256':
      return generate('ec', { namedCurve: 'P-256' });
    case 'RS256':
      return generate('rsa', { modulusLength: 2048 });
    case 'EdDSA':
      return generate('ed25519');
  }
}

/** What a new key row holds: its kid (the JWK thumbprint), public JWK, and sealed private JWK. */
export async function createKeyMaterial(alg: SigningAlg, sealer: Sealer): Promise<{ kid: string; publicJwk: string; privateJwk: string }> {
  const { privateKey, publicKey } = await newPair(alg);
  const publicJwk = publicKey.export({ format: 'jwk' }) as JWK;
  const kid = await calculateJwkThumbprint(publicJwk);
  const privateJwk = privateKey.export({ format: 'jwk' }) as JWK;
  return {
    kid,
    publicJwk: JSON.stringify({ ...publicJwk, kid, alg, use: 'sig' }),
    privateJwk: sealer.seal(JSON.stringify({ ...privateJwk, kid, alg, use: 'sig' }), kid),
  };
}

/** A key as the process holds it. */
export interface LoadedKey {
  kid: string;
  alg: SigningAlg;
  /** The public JWK with kid, alg and use: what the JWKS publishes. */
  publicJwk: JWK;
  publicKey: KeyObject;
  /** The private JWK (for oidc-provider's keystore) and KeyObject (for our own signing). */
  privateJwk: JWK;
  privateKey: KeyObject;
}

export function loadKey(row: { kid: string; alg: SigningAlg; publicJwk: string; privateJwk: string }, sealer: Sealer): LoadedKey {
  const publicJwk = JSON.parse(row.publicJwk) as JWK;
  const privateJwk = JSON.parse(sealer.open(row.privateJwk, row.kid)) as JWK;
  return {
    kid: row.kid,
    alg: row.alg,
    publicJwk,
    publicKey: createPublicKey({ key: publicJwk as never, format: 'jwk' }),
    privateJwk,
    privateKey: createPrivateKey({ key: privateJwk as never, format: 'jwk' }),
  };
}
