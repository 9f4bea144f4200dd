import { createHash, randomBytes } from 'node:crypto';
import type { KeyValueStore } from '../common/cache/kv-store.js';

/** Injection token of the KeyValueStore that holds second-factor challenges (`state.kv('mfa-challenge')`). */
export const MFA_CHALLENGE_STORE = Symbol('MFA_CHALLENGE_STORE');

/** Seconds an `mfa_token` lives (API.md §11). */
export const MFA_TOKEN_TTL = 300;

/** Wrong codes an `mfa_token` takes before it is burnt (API.md §11). */
export const MFA_MAX_WRONG_CODES = 5;

/** What a pending sign-in remembers between the password and the second factor. */
export interface Challenge {
  userId: string;
  /** The OAuth client the sign-in is for; null at the API door. A token is good only at its own door. */
  clientId: string | null;
  /**
   * SHA-256 of the password hash that was checked (never the hash or the password): a
   * password changed or reset since makes the token worthless.
   */
  hashDigest: string;
  /** The user must set up a second factor (MFA_REQUIRED_ROLES) rather than prove one. */
  enrol: boolean;
  wrongCodes: number;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export const digestOf = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex');

/**
 * The `mfa_token`s of API.md §11 in the shared KeyValueStore (memory, or Redis with
 * REDIS_URL, so a token from one instance works on another). Stored under the token's
 * SHA-256: the store never holds a usable token. An attempt `take`s the challenge (GETDEL),
 * so two attempts cannot both count against the same copy; a wrong code puts it back
 * with one more wrong code and the time it has left.
 */
export class MfaChallenges {
  constructor(private readonly store: KeyValueStore) {}

  async create(challenge: Omit<Challenge, 'wrongCodes' | 'expiresAt'>): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const stored: Challenge = { ...challenge, wrongCodes: 0, expiresAt: Date.now() + MFA_TOKEN_TTL * 1000 };
    await this.store.put(digestOf(token), JSON.stringify(stored), MFA_TOKEN_TTL);
    return token;
  }

  /** The live challenge, left in place; null when unknown, spent or expired. */
  async peek(token: string): Promise<Challenge | null> {
    return this.parse(await this.store.get(digestOf(token)));
  }

  /** The live challenge, removed (single use); null when unknown, spent or expired. */
  async take(token: string): Promise<Challenge | null> {
    return this.parse(await this.store.take(digestOf(token)));
  }

  /** Puts a taken challenge back for another attempt, for the time it has left; false when it has none. */
  async putBack(token: string, challenge: Challenge): Promise<boolean> {
    const seconds = Math.floor((challenge.expiresAt - Date.now()) / 1000);
    if (seconds < 1) return false;
    await this.store.put(digestOf(token), JSON.stringify(challenge), seconds);
    return true;
  }

  private parse(raw: string | null): Challenge | null {
    if (!raw) return null;
    try {
      const challenge = JSON.parse(raw) as Challenge;
      return challenge.expiresAt > Date.now() ? challenge : null;
    } catch {
      return null;
    }
  }
}
