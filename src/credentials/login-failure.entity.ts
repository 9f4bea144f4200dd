import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Failed logins per account (`user:<id>`) or, for names that denote no account, per
 * canonical name (`name:<name>`), so a lock reveals nothing about which names exist
 * (LoginAttemptsService). Lives in the database so a lock holds across instances and
 * restarts.
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
