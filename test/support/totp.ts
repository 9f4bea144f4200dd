import { createHmac } from 'node:crypto';

/**
 * An RFC 6238 TOTP generator written for the tests from the RFC alone (node:crypto's HMAC,
 * RFC 4226's dynamic truncation, RFC 4648's base32), sharing no code with the service's
 * `otpauth`-based implementation: codes the tests send are computed independently of what
 * they test. test/unit/totp-vectors.spec.ts checks it against RFC 6238's test vectors.
 */

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Decode(text: string): Buffer {
  const clean = text.replace(/=+$/, '').toUpperCase();
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const char of clean) {
    const index = BASE32.indexOf(char);
    if (index < 0) throw new Error(`not base32: ${char}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 4226 HOTP of one counter value. */
export function hotp(key: Buffer, counter: number, digits = 6, algorithm: 'sha1' | 'sha256' | 'sha512' = 'sha1'): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, key).update(message).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

export const PERIOD_MS = 30_000;

/** The RFC 6238 time step of a moment. */
export function stepAt(ms: number): number {
  return Math.floor(ms / PERIOD_MS);
}

/** The 6-digit code of a base32 secret for a time step (SHA-1, as API.md §11 says). */
export function codeForStep(secretBase32: string, step: number): string {
  return hotp(base32Decode(secretBase32), step);
}

/** The code of the current time step (`offsetSteps` before or after it). */
export function codeNow(secretBase32: string, offsetSteps = 0): string {
  return codeForStep(secretBase32, stepAt(Date.now()) + offsetSteps);
}

/**
 * Waits, when fewer than `marginMs` are left of the current time step, for the next one: a
 * test that sends a code exactly two steps away (to be refused) or one step away (to be
 * accepted) then runs within one step on the server too. At most `marginMs` of waiting.
 */
export async function awayFromStepBoundary(marginMs = 5_000): Promise<void> {
  const left = PERIOD_MS - (Date.now() % PERIOD_MS);
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

/**
 * Codes for one secret that the service has not seen yet: a code's time step is accepted once
 * and only later steps after it, within a step of now. `next()` gives the current step's code,
 * or the next step's when the current one was given already (accepted: one step of skew);
 * beyond that it waits for the clock (at most one step, 30 s: use at most two codes per test
 * and per secret to avoid the wait).
 */
export class TotpDevice {
  private lastStep = -Infinity;

  constructor(readonly secret: string) {}

  async next(): Promise<string> {
    for (;;) {
      const now = stepAt(Date.now());
      const step = Math.max(now, this.lastStep + 1);
      if (step <= now + 1) {
        this.lastStep = step;
        return codeForStep(this.secret, step);
      }
      await new Promise((resolve) => setTimeout(resolve, PERIOD_MS - (Date.now() % PERIOD_MS) + 50));
    }
  }

  /** The code given last (a replay). */
  last(): string {
    return codeForStep(this.secret, this.lastStep);
  }
}
