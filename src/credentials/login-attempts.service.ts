import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app.config.js';
import { leanInsert, leanQuery } from '../common/database/lean-sql.js';
import { isDuplicateKey } from '../common/errors/map-error.js';
import { canonicalLogin } from '../common/phone.js';
import { LoginFailure } from './login-failure.entity.js';

export interface LoginStatus {
  failedAttempts: number;
  locked: boolean;
  lockedUntil: Date | null;
}

/** How often `take` starts over when the row changes under it before it refuses. */
const MAX_TAKE_PASSES = 5;

/** An attempt that may go ahead: it holds one of the LOGIN_MAX_FAILURES slots. */
export interface TakenAttempt {
  taken: true;
  /** The failures counted so far, this attempt included (it counts unless it succeeds). */
  failedAttempts: number;
  /** This attempt reached the limit: if it fails, the name is locked (audit `auth.locked`). */
  locksIfFailed: boolean;
}

/** Refused before the password is looked at: the name is locked. */
export interface RefusedAttempt {
  taken: false;
  lockedUntil: Date;
}

/** Who failures are counted under: an account (every name of it), or a name that denotes none. */
export type AttemptSubject = { userId: string } | { name: string };

/**
 * Lockout (docs/api.md §3): LOGIN_MAX_FAILURES failures within LOGIN_LOCK_MINUTES lock for
 * LOGIN_LOCK_MINUTES. Counted in the database (it holds across instances and restarts):
 *
 * - per account, so the username, the email and every spelling of the phone of one account
 *   share one count (`user:<id>`); per canonical name for names that denote no account
 *   (`name:<name>`), so a lock looks the same whether or not the name exists;
 * - taken **before** the password is checked, by one conditional UPDATE that succeeds only
 *   under the limit. An attempt holds its slot while the password is verified: it counts as
 *   a failure unless it succeeds (`succeeded` clears the count). So any number of
 *   concurrent attempts, on any number of instances, get at most LOGIN_MAX_FAILURES
 *   answers of 401 before the lock; the rest are refused (403).
 */
@Injectable()
export class LoginAttemptsService {
  constructor(
    @InjectRepository(LoginFailure) private readonly failures: Repository<LoginFailure>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private get windowMs(): number {
    return this.config.auth.lockMinutes * 60_000;
  }

  /** The key failures of `subject` are counted under. */
  keyOf(subject: AttemptSubject): string {
    if ('userId' in subject) return `user:${subject.userId}`;
    return `name:${canonicalLogin(subject.name, this.config.i18n.phoneRegion).name}`.slice(0, 255);
  }

  /** Every key failures of an account may sit under: the account, and its names (from before they named it). */
  keysOfAccount(userId: string, names: string[]): string[] {
    return [this.keyOf({ userId }), ...names.map((name) => this.keyOf({ name }))];
  }

  async status(key: string): Promise<LoginStatus> {
    const row = await this.failures.findOneBy({ loginKey: key });
    return this.view(row, new Date());
  }

  private view(row: LoginFailure | null, now: Date): LoginStatus {
    if (!row) return { failedAttempts: 0, locked: false, lockedUntil: null };
    if (row.lockedUntil && row.lockedUntil > now) return { failedAttempts: row.failedCount, locked: true, lockedUntil: row.lockedUntil };
    const expired = row.lockedUntil !== null || row.firstFailedAt.getTime() < now.getTime() - this.windowMs;
    return { failedAttempts: expired ? 0 : row.failedCount, locked: false, lockedUntil: null };
  }

  /**
   * Takes one attempt's slot, atomically: counted now, before the password is checked.
   * Three statements, each atomic on its own, cover the three states a row can be in. When
   * none applies and yet the row is neither locked nor at the limit, it changed between them
   * (a success deleted it, another attempt made it again): the attempt starts over, so a
   * burst of right passwords is never refused as locked.
   */
  async take(key: string): Promise<TakenAttempt | RefusedAttempt> {
    for (let pass = 1; ; pass++) {
      const outcome = await this.takeOnce(key);
      if (outcome) return outcome;
      // Still racing after this many passes: refuse (fail closed), as a lock would.
      if (pass === MAX_TAKE_PASSES) return { taken: false, lockedUntil: new Date(Date.now() + this.windowMs) };
    }
  }

  /**
   * The first step of `take` alone: takes the first slot of a name that has no failures on
   * record (no row: not locked, no captcha due), in one statement; null when it has some (then
   * `status` and `take` as usual). Most logins are of such names, so the sign-in tries this
   * before it reads the status.
   */
  async takeFirst(key: string): Promise<TakenAttempt | null> {
    const max = this.config.auth.maxFailures;
    const now = new Date();
    const lockedUntil = max <= 1 ? new Date(now.getTime() + this.windowMs) : null;
    try {
      // Hand-written (lean-sql.ts), like `succeeded`: every login runs both.
      await leanInsert(this.failures.manager, LoginFailure, {
        loginKey: key,
        failedCount: 1,
        firstFailedAt: now,
        lastFailedAt: now,
        lockedUntil,
      });
      return { taken: true, failedAttempts: 1, locksIfFailed: max <= 1 };
    } catch (err) {
      if (isDuplicateKey(err)) return null;
      throw err;
    }
  }

  /** One pass of `take`; null when the row changed under it. */
  private async takeOnce(key: string): Promise<TakenAttempt | RefusedAttempt | null> {
    const max = this.config.auth.maxFailures;
    const now = new Date();
    const windowStart = new Date(now.getTime() - this.windowMs);
    const lockUntil = new Date(now.getTime() + this.windowMs);
    const first = { failedCount: 1, firstFailedAt: now, lastFailedAt: now, lockedUntil: max <= 1 ? lockUntil : null };

    // 1. The first failure of a name.
    const fresh = await this.takeFirst(key);
    if (fresh) return fresh;

    // 2. A count whose window, or whose lock, has run out starts again at 1.
    const restarted = await this.failures
      .createQueryBuilder()
      .update(LoginFailure)
      .set(first)
      .where('login_key = :key AND ((locked_until IS NULL AND first_failed_at < :windowStart) OR locked_until <= :now)', {
        key,
        windowStart,
        now,
      })
      .execute();
    if (restarted.affected === 1) return { taken: true, failedAttempts: 1, locksIfFailed: max <= 1 };

    // 3. One more within the window, only while under the limit. (Only the count moves in
    // this SET, so MySQL's left-to-right assignments and SQLite's agree.)
    const counted = await this.failures
      .createQueryBuilder()
      .update(LoginFailure)
      .set({ failedCount: () => 'failed_count + 1', lastFailedAt: now })
      .where('login_key = :key AND locked_until IS NULL AND first_failed_at >= :windowStart AND failed_count < :max', {
        key,
        windowStart,
        max,
      })
      .execute();
    if (counted.affected === 1) {
      const row = await this.failures.findOneBy({ loginKey: key });
      // Cleared by a success right after this count: the slot went with it; start over.
      if (!row) return null;
      const failedAttempts = row.failedCount;
      if (failedAttempts < max) return { taken: true, failedAttempts, locksIfFailed: false };
      // The limit is reached: lock from now. Attempts after this one are refused at once,
      // and this one still answers for its own password. (Only a count at the limit locks,
      // should the row have been cleared and made again meanwhile.)
      await this.failures
        .createQueryBuilder()
        .update(LoginFailure)
        .set({ lockedUntil: lockUntil })
        .where('login_key = :key AND locked_until IS NULL AND failed_count >= :max', { key, max })
        .execute();
      return { taken: true, failedAttempts, locksIfFailed: true };
    }

    // 4. Locked, or at the limit while the attempt that reached it is being checked — or the
    // row changed under steps 1–3 (cleared by a success, made again by another attempt).
    const row = await this.failures.findOneBy({ loginKey: key });
    const locked = !!row?.lockedUntil && row.lockedUntil > now;
    if (!locked && !(row && row.failedCount >= max)) return null;
    return { taken: false, lockedUntil: locked ? row!.lockedUntil! : lockUntil };
  }

  /** The attempt proved the password right: the count (and a lock it set) goes. */
  async succeeded(key: string): Promise<void> {
    await leanQuery(this.failures.manager, 'DELETE FROM login_failures WHERE login_key = :key', { key });
  }

  /**
   * The attempt proved the password, but the sign-in is not complete: a second factor follows
   * (API.md §11). Only this attempt's slot is given back; the failures before it (wrong codes
   * among them) stay counted until the second factor succeeds, so knowing the password does
   * not reset the count of guessed codes. A lock this attempt set goes with its slot: the
   * count is under the limit again.
   */
  async release(key: string): Promise<void> {
    await this.failures
      .createQueryBuilder()
      .update(LoginFailure)
      .set({ failedCount: () => 'failed_count - 1', lockedUntil: null })
      .where('login_key = :key AND failed_count > 0', { key })
      .execute();
  }

  /** Clears failures and locks of these keys (inside the caller's transaction if `em`); returns how many rows went. */
  async clear(keys: string[], em?: EntityManager): Promise<number> {
    const unique = [...new Set(keys.filter(Boolean))];
    if (!unique.length) return 0;
    const result = await (em?.getRepository(LoginFailure) ?? this.failures).delete({ loginKey: In(unique) });
    return result.affected ?? 0;
  }
}
