import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Failed logins per login name as typed (lower-cased), for unknown names too, so a
 * lock reveals nothing about which names exist. Lives in the database so a lock
 * holds across instances and restarts.
 */
@Entity({ name: 'login_failures' })
export class LoginFailure {
  @PrimaryColumn({ name: 'login_key', type: 'varchar', length: 255 })
  loginKey: string;

  @Column({ name: 'failed_count', type: 'integer', default: 0 })
  failedCount: number;

  @Column({ name: 'first_failed_at', type: 'datetime', precision: 6 })
  firstFailedAt: Date;

  @Column({ name: 'last_failed_at', type: 'datetime', precision: 6 })
  lastFailedAt: Date;

  @Column({ name: 'locked_until', type: 'datetime', precision: 6, nullable: true })
  lockedUntil: Date | null;
}
