import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One row per login. `refreshJti` is the id of the only refresh token that may be
 * used next; `previousJti` the one spent last (for the grace window). Any other
 * validly signed refresh token of this session is a spent one: presenting it is theft.
 */
export type SessionKind = 'api' | 'oauth' | 'sso';

@Entity({ name: 'sessions' })
export class Session {
  /** The tokens' `sid`. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('IDX_sessions_user_id')
  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  @Column({ name: 'refresh_jti', type: 'varchar', length: 36 })
  refreshJti: string;

  @Column({ name: 'previous_jti', type: 'varchar', length: 36, nullable: true })
  previousJti: string | null;

  @Column({ name: 'rotated_at', type: 'datetime', precision: 6, nullable: true })
  rotatedAt: Date | null;

  @Column({ type: 'varchar', length: 45, nullable: true })
  ip: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime', precision: 6 })
  createdAt: Date;

  @Column({ name: 'last_used_at', type: 'datetime', precision: 6 })
  lastUsedAt: Date;

  @Column({ name: 'expires_at', type: 'datetime', precision: 6 })
  expiresAt: Date;

  /** The absolute end: refreshes extend `expires_at` up to it, never beyond (SESSION_MAX_LIFETIME). */
  @Column({ name: 'ends_at', type: 'datetime', precision: 6 })
  endsAt: Date;

  /** `api`: POST /auth/login; `oauth`: an OAuth grant (its id is the grant's); `sso`: the hosted pages' browser session. */
  @Column({ type: 'varchar', length: 8, default: 'api' })
  kind: SessionKind;

  /** The OAuth client of an `oauth` session. */
  @Column({ name: 'client_id', type: 'varchar', length: 64, nullable: true })
  clientId: string | null;

  @Column({ name: 'revoked_at', type: 'datetime', precision: 6, nullable: true })
  revokedAt: Date | null;

  @Column({ name: 'revoked_reason', type: 'varchar', length: 32, nullable: true })
  revokedReason: string | null;
}
