import { HOTP, Secret, TOTP } from 'otpauth';

/**
 * TOTP of API.md §11 (RFC 6238 over RFC 4226's HOTP): HMAC-SHA-1, 6 digits, 30-second
 * steps, a code accepted one step either side of now (clock skew). Pure functions over the
 * `otpauth` library; what is stored, and which steps were used, is MfaService's business.
 */
export const TOTP_PARAMS = { algorithm: 'SHA1', digits: 6, period: 30 } as const;

/** Steps either side of the current one that a code may come from. */
export const TOTP_WINDOW = 1;

/** What an authenticator app shows as the account's provider. */
export const TOTP_ISSUER = 'AuthCentre';

/** A new shared secret: 160 random bits (RFC 4226 §4 recommends 160), in base32 as apps take it. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The time step `timestampMs` falls in (RFC 6238's T). */
export function totpStep(timestampMs: number, period: number = TOTP_PARAMS.period): number {
  return Math.floor(timestampMs / 1000 / period);
}

/** The code of one time step. `digits` other than 6 only for RFC 6238's test vectors. */
export function totpCode(secretBase32: string, step: number, digits: number = TOTP_PARAMS.digits): string {
  return HOTP.generate({ secret: Secret.fromBase32(secretBase32), algorithm: TOTP_PARAMS.algorithm, digits, counter: step });
}

/**
 * The time step a code belongs to, within ±TOTP_WINDOW of `nowMs` and after `usedStep` (the
 * last step this secret accepted: a step is never accepted twice), the earliest if several
 * match; null when none does. Each candidate is compared in constant time by the library.
 */
export function matchTotpStep(secretBase32: string, code: string, nowMs: number, usedStep: number | null = null): number | null {
  const token = code.trim();
  if (!/^\d+$/.test(token) || token.length !== TOTP_PARAMS.digits) return null;
  const secret = Secret.fromBase32(secretBase32);
  const now = totpStep(nowMs);
  for (let step = now - TOTP_WINDOW; step <= now + TOTP_WINDOW; step++) {
    if (usedStep !== null && step <= usedStep) continue;
    const delta = HOTP.validate({ token, secret, algorithm: TOTP_PARAMS.algorithm, digits: TOTP_PARAMS.digits, counter: step, window: 0 });
    if (delta === 0) return step;
  }
  return null;
}

/** The `otpauth://totp/...` URI an authenticator app reads from the QR code (Key Uri Format). */
export function totpUri(secretBase32: string, account: string): string {
  return new TOTP({
    issuer: TOTP_ISSUER,
    label: account,
    secret: Secret.fromBase32(secretBase32),
    ...TOTP_PARAMS,
  }).toString();
}
