import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, MoreThan, Not, Repository, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app.config.js';
import type { StateCache } from '../common/cache/state-cache.js';
import { leanInsert } from '../common/database/lean-sql.js';
import type { RequestContext } from '../common/http/request-context.js';
import { Session, type SessionKind } from './session.entity.js';

/** Whether a session (the tokens' `sid`) is live, by session id. */
export const SESSION_CACHE = Symbol('SESSION_CACHE');

export type RevokeReason =
  | 'logout'
  | 'logout_all'
  | 'reuse'
  | 'password_change'
  | 'password_reset'
  | 'admin'
  | 'user_disabled'
  | 'user_deleted'
  | 'user_revoked'
  | 'client_disabled'
  | 'client_deleted'
  | 'oauth_revoked'
  | 'oauth_logout';

/** What a refresh attempt found; the caller turns it into tokens or an error. */
export type RotateOutcome =
  | { kind: 'rotated'; session: Pick<Session, 'id' | 'expiresAt' | 'endsAt'>; jti: string }
  | { kind: 'grace'; session: Pick<Session, 'id' | 'expiresAt' | 'endsAt'>; jti: string }
  | { kind: 'reused'; session: Pick<Session, 'id'> }
  | { kind: 'revoked' }
  | { kind: 'expired' }
  /** The token's session belongs to another user than its `sub`. */
  | { kind: 'foreign' };

const minDate = (a: Date, b: Date) => (a.getTime() <= b.getTime() ? a : b);

/** The context of a session made outside a request (a grant the provider saves). */
const NO_CONTEXT: RequestContext = { ip: null, userAgent: null, locale: 'en', requestId: '' };

/**
 * Sessions live in the database (the truth); whether a session is live is cached for
 * the per-request check, and every revocation invalidates that cache at once.
 */
@Injectable()
export class SessionService {
  constructor(
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
    @Inject(SESSION_CACHE) private readonly cache: StateCache<string | null>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * A new session (inside the caller's transaction if `em`). It ends SESSION_MAX_LIFETIME
   * after now whatever the refreshes; `kind` and `clientId` say what signed in.
   */
  async create(
    userId: string,
    ctx: RequestContext,
    em?: EntityManager,
    opts: { kind?: SessionKind; clientId?: string; id?: string; expiresAt?: Date } = {},
  ): Promise<Session> {
    const now = new Date();
    const endsAt = new Date(now.getTime() + this.config.jwt.sessionMaxLifetime * 1000);
    // API sessions slide with each refresh; an OAuth grant or a browser session lives its own
    // length (`expiresAt`), never past the end.
    const expiresAt = minDate(opts.expiresAt ?? new Date(now.getTime() + this.config.jwt.refreshTtl * 1000), endsAt);
    const session = this.sessions.create({
      id: opts.id ?? randomUUID(),
      userId,
      kind: opts.kind ?? 'api',
      clientId: opts.clientId ?? null,
      endsAt,
      refreshJti: randomUUID(),
      previousJti: null,
      rotatedAt: null,
      ip: ctx.ip,
      userAgent: ctx.userAgent,
      createdAt: now,
      lastUsedAt: now,
      expiresAt,
      revokedAt: null,
      revokedReason: null,
    });
    // Hand-written (lean-sql.ts): every login runs it, and the row needs nothing read back.
    await leanInsert(em ?? this.sessions.manager, Session, session);
    return session;
  }

  /**
   * The session of an OAuth grant, created the first time the authorization server stores the
   * grant (its id is the grant's id): idempotent, so the provider may save a grant often.
   */
  async ensureGrant(id: string, userId: string, clientId: string, ctx: RequestContext | null): Promise<void> {
    if (await this.sessions.existsBy({ id })) return;
    const endsAt = new Date(Date.now() + this.config.jwt.sessionMaxLifetime * 1000);
    try {
      await this.create(userId, ctx ?? NO_CONTEXT, undefined, { id, kind: 'oauth', clientId, expiresAt: endsAt });
    } catch (err) {
      if (!(await this.sessions.existsBy({ id }))) throw err;
    }
  }

  /**
   * The per-request check: the user a live session belongs to, or null when it is revoked,
   * expired or unknown. The caller compares it with the token's `sub` (a token whose session
   * is another user's is refused). No database query while the answer is cached.
   */
  liveOwner(sessionId: string): Promise<string | null> {
    return this.cache.getOrLoad(
      sessionId,
      async () => {
        const s = await this.sessions.findOne({
          where: { id: sessionId },
          select: { id: true, userId: true, revokedAt: true, expiresAt: true },
        });
        return s && !s.revokedAt && s.expiresAt.getTime() > Date.now() ? s.userId : null;
      },
      this.config.jwt.accessTtl,
    );
  }

  /**
   * Spends refresh token `jti` of session `sid` and names the next one, in one conditional
   * UPDATE: it only matches while `refresh_jti` is still `jti`, the session is the user's and
   * live, so when the same token arrives twice at once exactly one request wins. The new
   * expiry slides, but never past the session's absolute end (`endsAt`, carried by the
   * refresh token; read from the row for tokens that do not carry it). Only a miss reads
   * the row, to tell a revoked or expired session from a spent token.
   */
  async rotate(token: { sessionId: string; userId: string; jti: string; endsAt?: Date }): Promise<RotateOutcome> {
    const { sessionId, userId, jti } = token;
    const now = new Date();
    const next = randomUUID();
    const endsAt = token.endsAt ?? (await this.sessions.findOne({ where: { id: sessionId }, select: { id: true, endsAt: true } }))?.endsAt;
    if (!endsAt) return { kind: 'revoked' };
    const expiresAt = minDate(new Date(now.getTime() + this.config.jwt.refreshTtl * 1000), endsAt);
    const result = await this.sessions
      .createQueryBuilder()
      .update(Session)
      .set({ refreshJti: next, previousJti: jti, rotatedAt: now, lastUsedAt: now, expiresAt })
      .where(
        'id = :id AND user_id = :userId AND refresh_jti = :jti AND revoked_at IS NULL AND expires_at > :now AND ends_at >= :expiresAt',
        {
          id: sessionId,
          userId,
          jti,
          now,
          expiresAt,
        },
      )
      .execute();
    if (result.affected === 1) return { kind: 'rotated', session: { id: sessionId, expiresAt, endsAt }, jti: next };
    const session = await this.sessions.findOneBy({ id: sessionId });
    if (!session || session.revokedAt) return { kind: 'revoked' };
    if (session.userId !== userId) return { kind: 'foreign' };
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

  /**
   * Ends every live OAuth grant of a client (the client was disabled or deleted); returns
   * their ids. Inside a caller's transaction the caller forgets them after the commit.
   */
  async revokeAllForClient(clientId: string, reason: RevokeReason, em?: EntityManager): Promise<string[]> {
    const repo = em?.getRepository(Session) ?? this.sessions;
    const live = await repo.find({ where: { clientId, revokedAt: IsNull() }, select: { id: true } });
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
