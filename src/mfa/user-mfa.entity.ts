import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * A user's TOTP second factor (API.md §11), one row per user who ever set one up. Secrets are
 * sealed with ENCRYPTION_KEY (AES-256-GCM, bound to the user id) and never leave the service
 * except once, to the user, when they are created. Whether the factor is on is `users.mfa_enabled`
 * (shown in the user objects); it is written in the same transaction as this row.
 */
@Entity({ name: 'user_mfa' })
export class UserMfa {
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  /** The confirmed secret, sealed; null while none is confirmed. */
  @Column({ name: 'totp_secret', type: 'varchar', length: 255, nullable: true })
  totpSecret: string | null;

  /** A secret handed out and not yet confirmed with a code, sealed: it signs nobody in until then. */
  @Column({ name: 'pending_secret', type: 'varchar', length: 255, nullable: true })
  pendingSecret: string | null;

  /**
   * The last time step a code of the confirmed secret was accepted for: only later steps are
   * accepted, by a conditional UPDATE, so a code works once on every instance.
   */
  @Column({ name: 'last_used_step', type: 'integer', nullable: true })
  lastUsedStep: number | null;

  @Column({ name: 'enabled_at', type: 'datetime', precision: 6, nullable: true })
  enabledAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime', precision: 6 })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime', precision: 6 })
  updatedAt: Date;
}
