import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app.config.js';
import { isDuplicateKey } from '../common/errors/map-error.js';
import { LoginFailure } from './login-failure.entity.js';

export interface LoginStatus {
  failedAttempts: number;
  locked: boolean;
  lockedUntil: Date | null;
}

/** The key a login name is counted under: as typed, case-insensitively. */
export const loginKey = (login: string) => login.trim().toLowerCase().slice(0, 255);

/**
 * Lockout (docs/api.md §3): LOGIN_MAX_FAILURES failures of one login name within
 * LOGIN_LOCK_MINUTES lock that name for LOGIN_LOCK_MINUTES. Counted in the database with
 * an atomic increment, so parallel attempts and several instances all count.
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

  async status(login: string): Promise<LoginStatus> {
    const row = await this.failures.findOneBy({ loginKey: loginKey(login) });
    return this.view(row, new Date());
  }

  private view(row: LoginFailure | null, now: Date): LoginStatus {
    if (!row) return { failedAttempts: 0, locked: false, lockedUntil: null };
    if (row.lockedUntil && row.lockedUntil > now) {
      return { failedAttempts: row.failedCount, locked: true, lockedUntil: row.lockedUntil };
    }
    const expired = row.lockedUntil !== null || row.firstFailedAt.getTime() < now.getTime() - this.windowMs;
    return { failedAttempts: expired ? 0 : row.failedCount, locked: false, lockedUntil: null };
  }

  /** Counts one failure; returns the new status and whether this failure set the lock. */
  async recordFailure(login: string): Promise<LoginStatus & { lockedNow: boolean }> {
    const key = loginKey(login);
    const now = new Date();
    const windowStart = new Date(now.getTime() - this.windowMs);
    try {
      await this.failures.insert({ loginKey: key, failedCount: 1, firstFailedAt: now, lastFailedAt: now, lockedUntil: null });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      // A count older than the window, or one whose lock has run out, starts again at 1.
      const restart = '(first_failed_at < :windowStart OR (locked_until IS NOT NULL AND locked_until <= :now))';
      await this.failures
        .createQueryBuilder()
        .update(LoginFailure)
        .set({
          failedCount: () => `CASE WHEN ${restart} THEN 1 ELSE failed_count + 1 END`,
          firstFailedAt: () => `CASE WHEN ${restart} THEN :now ELSE first_failed_at END`,
          lockedUntil: () => `CASE WHEN ${restart} THEN NULL ELSE locked_until END`,
          lastFailedAt: now,
        })
        .where('login_key = :key', { key })
        .setParameters({ windowStart, now })
        .execute();
    }
    const row = await this.failures.findOneByOrFail({ loginKey: key });
    if (row.failedCount >= this.config.auth.maxFailures && !(row.lockedUntil && row.lockedUntil > now)) {
      const lockedUntil = new Date(now.getTime() + this.windowMs);
      const result = await this.failures
        .createQueryBuilder()
        .update(LoginFailure)
        .set({ lockedUntil })
        .where('login_key = :key AND (locked_until IS NULL OR locked_until <= :now)', { key, now })
        .execute();
      return { failedAttempts: row.failedCount, locked: true, lockedUntil, lockedNow: result.affected === 1 };
    }
    return { ...this.view(row, now), lockedNow: false };
  }

  /** After a successful login, a password reset or an admin's unlock. */
  /** Clears failures and locks of these names (inside the caller's transaction if `em`); returns how many rows went. */
  async clear(logins: string[], em?: EntityManager): Promise<number> {
    const keys = [...new Set(logins.filter(Boolean).map(loginKey))];
    if (!keys.length) return 0;
    const result = await (em?.getRepository(LoginFailure) ?? this.failures).delete({ loginKey: In(keys) });
    return result.affected ?? 0;
  }
}
