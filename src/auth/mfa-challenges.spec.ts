import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryKvStore } from '../common/cache/kv-store.js';
import { digestOf, MFA_TOKEN_TTL, MfaChallenges } from './mfa-challenges.js';

const challenge = { userId: 'u1', clientId: null, hashDigest: digestOf('$argon2id$...'), enrol: false };

describe('MfaChallenges', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps a challenge under the SHA-256 of its token, never the token itself', async () => {
    const store = new MemoryKvStore();
    const token = await new MfaChallenges(store).create(challenge);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await store.get(token)).toBeNull();
    const raw = await store.get(digestOf(token));
    expect(JSON.parse(raw!)).toMatchObject({ ...challenge, wrongCodes: 0 });
    expect(raw).not.toContain(token);
  });

  it('is single use: take removes it; peek leaves it', async () => {
    const challenges = new MfaChallenges(new MemoryKvStore());
    const token = await challenges.create(challenge);
    expect(await challenges.peek(token)).toMatchObject(challenge);
    expect(await challenges.take(token)).toMatchObject(challenge);
    expect(await challenges.take(token)).toBeNull();
    expect(await challenges.take('unknown')).toBeNull();
  });

  it(`expires ${MFA_TOKEN_TTL} s after it was made, put back or not`, async () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    const challenges = new MfaChallenges(new MemoryKvStore());
    const token = await challenges.create(challenge);
    vi.advanceTimersByTime(200_000);
    const taken = await challenges.take(token);
    expect(taken).not.toBeNull();
    // A wrong code puts it back for the time it has left, not for a new 300 s.
    expect(await challenges.putBack(token, { ...taken!, wrongCodes: 1 })).toBe(true);
    vi.advanceTimersByTime(99_000);
    expect(await challenges.peek(token)).toMatchObject({ wrongCodes: 1 });
    vi.advanceTimersByTime(1_001);
    expect(await challenges.take(token)).toBeNull();
    expect(await challenges.putBack(token, taken!)).toBe(false);
  });
});
