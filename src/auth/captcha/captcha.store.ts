/** Injection token of the captcha answer store (in memory now; Redis with REDIS_URL later). */
export const CAPTCHA_STORE = Symbol('CAPTCHA_STORE');

export interface CaptchaStore {
  put(id: string, answer: string, ttlSeconds: number): Promise<void>;
  /** Returns the answer and deletes it in one step (single use); null when absent or expired. */
  take(id: string): Promise<string | null>;
}

interface Entry {
  answer: string;
  expiresAt: number;
}

/**
 * Process-memory store: right for a single instance (API.md §7).
 *
 * Anyone can ask for captchas without signing in, so memory must stay bounded: expired
 * entries are swept lazily on `put`, and past `MAX_ENTRIES` the oldest are dropped (their
 * owners just fetch a new image).
 */
export class MemoryCaptchaStore implements CaptchaStore {
  static readonly MAX_ENTRIES = 100_000;

  /** A Map iterates in insertion order, so the first entries are the oldest. */
  private readonly entries = new Map<string, Entry>();

  put(id: string, answer: string, ttlSeconds: number): Promise<void> {
    const now = Date.now();
    this.sweep(now);
    while (this.entries.size >= MemoryCaptchaStore.MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.delete(id); // re-inserting moves it to the young end
    this.entries.set(id, { answer, expiresAt: now + ttlSeconds * 1000 });
    return Promise.resolve();
  }

  take(id: string): Promise<string | null> {
    const entry = this.entries.get(id);
    // JavaScript runs this to completion, so no other take can see the entry in between.
    this.entries.delete(id);
    return Promise.resolve(entry && entry.expiresAt > Date.now() ? entry.answer : null);
  }

  /**
   * TEST ONLY: the answer without consuming it, so end-to-end tests can solve a captcha.
   * Not part of `CaptchaStore`, and nothing in the HTTP API reaches it.
   */
  peek(id: string): string | null {
    const entry = this.entries.get(id);
    return entry && entry.expiresAt > Date.now() ? entry.answer : null;
  }

  /** Live and not-yet-swept entries; for tests and metrics. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Drops expired entries from the old end, stopping at the first live one. Every captcha
   * gets the same TTL, so insertion order is expiry order and this is amortised O(1); an
   * expired entry it misses is still refused by `take` and eventually pushed out by the cap.
   */
  private sweep(now: number): void {
    for (const [id, entry] of this.entries) {
      if (entry.expiresAt > now) break;
      this.entries.delete(id);
    }
  }
}
