import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { StoredSecret } from './client.entity.js';

/** 32 random bytes (docs/api.md §9), shown once. */
export function newClientSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function secretDigest(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/**
 * Whether `presented` is one of the stored secrets still in force, compared in constant time
 * against every entry (no early exit), so timing tells nothing about which matched.
 */
export function secretMatches(stored: StoredSecret[] | null, presented: unknown, nowSeconds = Math.floor(Date.now() / 1000)): boolean {
  if (!stored?.length || typeof presented !== 'string' || presented.length > 512) return false;
  const digest = Buffer.from(secretDigest(presented), 'hex');
  let ok = false;
  for (const entry of stored) {
    const match = timingSafeEqual(digest, Buffer.from(entry.digest, 'hex'));
    if (match && (entry.not_after === null || entry.not_after > nowSeconds)) ok = true;
  }
  return ok;
}

/**
 * The stored secrets after a rotation: the new one, and the previous current one for
 * `graceSeconds` (0: at once gone). Older entries, grace periods included, end now.
 */
export function rotatedSecrets(
  stored: StoredSecret[] | null,
  newSecret: string,
  graceSeconds: number,
  nowSeconds = Math.floor(Date.now() / 1000),
): StoredSecret[] {
  const current = stored?.find((s) => s.not_after === null);
  const next: StoredSecret[] = [{ digest: secretDigest(newSecret), not_after: null }];
  if (current && graceSeconds > 0) next.push({ digest: current.digest, not_after: nowSeconds + graceSeconds });
  return next;
}
