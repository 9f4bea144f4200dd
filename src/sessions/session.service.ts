import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, MoreThan, Not, Repository, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app.config.js';
import type { StateCache } from '../common/cache/state-cache.js';
import type { RequestContext } from '../common/http/request-context.js';
import { Session } from './session.entity.js';

/** Whether a session (the tokens' `sid`) is live, by session id. */
export const SESSION_CACHE = Symbol('SESSION_CACHE');

export type RevokeReason =
  'logout' | 'logout_all' | 'reuse' | 'password_change' | 'password_reset' | 'admin' | 'user_disabled' | 'user_deleted' | 'user_revoked';

/** What a refresh attempt found; the caller turns it into tokens or an error. */
export type RotateOutcome =
  | { kind: 'rotated'; session: Pick<Session, 'id' | 'expiresAt'>; jti: string }
  | { kind: 'grace'; session: Pick<Session, 'id' | 'expiresAt'>; jti: string }
  | { kind: 'reused'; session: Pick<Session, 'id'> }
  | { kind: 'revoked' }
  | { kind: 'expired' };

/**
 * Sessions live in the database (the truth); whether a session is live is cached for
 * the per-request check, and every revocation invalidates that cache at once.
 */
@Injectable()
export class SessionService {
  constructor(
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
    @Inject(SESSION_CACHE) private readonly cache: StateCache<boolean>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(userId: string, ctx: RequestContext, em?: EntityManager): Promise<Session> {
    const now = new Date();
    const session = this.sessions.create({
      id: randomUUID(),
      userId,
      refreshJti: randomUUID(),
      previousJti: null,
      rotatedAt: null,
      ip: ctx.ip,
      userAgent: ctx.userAgent,
      createdAt: now,
      lastUsedAt: now,
      expiresAt: new Date(now.getTime() + this.config.jwt.refreshTtl * 1000),
      revokedAt: null,
      revokedReason: null,
    });
    await (em?.getRepository(Session) ?? this.sessions).insert(session);
    return session;
  }

  /** The per-request check: no database query while the answer is cached. */
  isLive(sessionId: string): Promise<boolean> {
    return this.cache.getOrLoad(
      sessionId,
      async () => {
        const s = await this.sessions.findOne({ where: { id: sessionId }, select: { id: true, revokedAt: true, expiresAt: true } });
        return !!s && !s.revokedAt && s.expiresAt.getTime() > Date.now();
      },
      this.config.jwt.accessTtl,
    );
  }

  /**
   * Spends refresh token `jti` of session `sid` and names the next one, in one conditional
   * UPDATE: it only matches while `refresh_jti` is still `jti` and the session is live, so
   * when the same token arrives twice at once exactly one request wins. Only a miss reads
   * the row, to tell a revoked or expired session from a spent token.
   */
  async rotate(sessionId: string, jti: string): Promise<RotateOutcome> {
    const now = new Date();
    const next = randomUUID();
    const expiresAt = new Date(now.getTime() + this.config.jwt.refreshTtl * 1000);
    const result = await this.sessions
      .createQueryBuilder()
      .update(Session)
      .set({ refreshJti: next, previousJti: jti, rotatedAt: now, lastUsedAt: now, expiresAt })
      .where('id = :id AND refresh_jti = :jti AND revoked_at IS NULL AND expires_at > :now', { id: sessionId, jti, now })
      .execute();
    if (result.affected === 1) return { kind: 'rotated', session: { id: sessionId, expiresAt }, jti: next };
    const session = await this.sessions.findOneBy({ id: sessionId });
    if (!session || session.revokedAt) return { kind: 'revoked' };
    if (session.expiresAt <= now) return { kind: 'expired' };
    return this.spent(session, jti, now);
  }

  /** A validly signed refresh token of this session that is not the current one. */
  private spent(session: Session, jti: string, now: Date): RotateOutcome {
    const grace = this.config.jwt.refreshGraceSeconds;
    if (grace > 0 && session.previousJti === jti && session.rotatedAt && now.getTime() - session.rotatedAt.getTime() <= grace * 1000) {
      // Several tabs refreshing at once: hand out the current token again, no rotation.
      return { kind: 'grace', session, jti: session.refreshJti };
    }
    return { kind: 'reused', session };
  }

  /** Revokes one session; its cached liveness goes at once. */
  async revoke(sessionId: string, reason: RevokeReason): Promise<void> {
    await this.sessions.update({ id: sessionId, revokedAt: IsNull() }, { revokedAt: new Date(), revokedReason: reason });
    await this.forget([sessionId]);
  }

  /** Drops cached liveness of these sessions, so the next request reads the database. */
  async forget(sessionIds: string[]): Promise<void> {
    await Promise.all(sessionIds.map((id) => this.cache.invalidate(id)));
  }

  /**
   * Revokes every live session of a user (but `exceptSessionId`); returns their ids. Inside a
   * caller's transaction (`em`) the caller calls `forget(ids)` after the commit — before it,
   * a read could cache the not-yet-revoked state again; without `em` it is done here.
   */
  async revokeAllForUser(userId: string, reason: RevokeReason, exceptSessionId?: string, em?: EntityManager): Promise<string[]> {
    const repo = em?.getRepository(Session) ?? this.sessions;
    const live = await repo.find({
      where: { userId, revokedAt: IsNull(), ...(exceptSessionId ? { id: Not(exceptSessionId) } : {}) },
      select: { id: true },
    });
    if (!live.length) return [];
    const ids = live.map((s) => s.id);
    await repo
      .createQueryBuilder()
      .update(Session)
      .set({ revokedAt: new Date(), revokedReason: reason })
      .where('id IN (:...ids) AND revoked_at IS NULL', { ids })
      .execute();
    if (!em) await this.forget(ids);
    return ids;
  }

  listLive(userId: string): Promise<Session[]> {
    return this.sessions.find({
      where: { userId, revokedAt: IsNull(), expiresAt: MoreThan(new Date()) },
      order: { createdAt: 'DESC' },
    });
  }

  findLive(userId: string, sessionId: string): Promise<Session | null> {
    return this.sessions.findOne({ where: { id: sessionId, userId, revokedAt: IsNull(), expiresAt: MoreThan(new Date()) } });
  }
}
