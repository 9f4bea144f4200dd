import {
  Column,
  CreateDateColumn,
  DeleteDateColumn,
  Entity,
  Index,
  JoinTable,
  ManyToMany,
  PrimaryColumn,
  UpdateDateColumn,
  type Relation,
} from 'typeorm';
import { Role } from '../roles/role.entity.js';

export type UserStatus = 'active' | 'disabled';

/**
 * Uniqueness of username, email and phone is carried by the `*_key` columns: the
 * lower-cased value while the user exists, NULL once soft-deleted. Unique indexes
 * admit any number of NULLs on SQLite and MySQL alike, so deleting a user frees
 * their name and email without partial indexes (which MySQL lacks).
 */
@Entity({ name: 'users' })
export class User {
  /** A UUID made by the service (`randomUUID()`), so inserts need no round trip. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 32 })
  username: string;

  @Index('UQ_users_username_key', { unique: true })
  @Column({ name: 'username_key', type: 'varchar', length: 32, nullable: true })
  usernameKey: string | null;

  @Column({ type: 'varchar', length: 254, nullable: true })
  email: string | null;

  @Index('UQ_users_email_key', { unique: true })
  @Column({ name: 'email_key', type: 'varchar', length: 254, nullable: true })
  emailKey: string | null;

  @Column({ type: 'varchar', length: 20, nullable: true })
  phone: string | null;

  @Index('UQ_users_phone_key', { unique: true })
  @Column({ name: 'phone_key', type: 'varchar', length: 20, nullable: true })
  phoneKey: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  nickname: string | null;

  @Column({ type: 'varchar', length: 512, nullable: true })
  avatar: string | null;

  /** argon2id (or a legacy bcrypt hash until the next login). Never selected unless asked for. */
  @Column({ name: 'password_hash', type: 'varchar', length: 255, select: false })
  passwordHash: string;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status: UserStatus;

  @Column({ name: 'email_verified', type: 'boolean', default: false })
  emailVerified: boolean;

  /** A second factor is on (API.md §11); its secret and codes live in the mfa module's tables. */
  @Column({ name: 'mfa_enabled', type: 'boolean', default: false })
  mfaEnabled: boolean;

  @Column({ name: 'last_login_at', type: 'datetime', precision: 6, nullable: true })
  lastLoginAt: Date | null;

  @ManyToMany(() => Role)
  @JoinTable({
    name: 'user_roles',
    joinColumn: { name: 'user_id', referencedColumnName: 'id', foreignKeyConstraintName: 'FK_user_roles_user' },
    inverseJoinColumn: { name: 'role_id', referencedColumnName: 'id', foreignKeyConstraintName: 'FK_user_roles_role' },
  })
  roles: Relation<Role[]>;

  @CreateDateColumn({ name: 'created_at', type: 'datetime', precision: 6 })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime', precision: 6 })
  updatedAt: Date;

  @Index('IDX_users_deleted_at')
  @DeleteDateColumn({ name: 'deleted_at', type: 'datetime', precision: 6, nullable: true })
  deletedAt: Date | null;
}
