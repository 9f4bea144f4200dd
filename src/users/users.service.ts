import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app.config.js';
import { AppException, detail } from '../common/errors/app.exception.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import { hydrate, leanQuery } from '../common/database/lean-sql.js';
import { replaceLinks, type Junction } from '../common/database/link-set.js';
import { SystemRole } from '../authz/permission-catalogue.js';
import type { Locale } from '../common/i18n/messages.js';
import { UserTokensService } from '../credentials/user-tokens.service.js';
import { MailService } from '../mail/mail.service.js';
import { RolesService } from '../roles/roles.service.js';
import { canonicalLogin, toE164 } from '../common/phone.js';
import { EmailVerificationService, type PendingVerification } from './email-verification.service.js';
import { User, type UserStatus } from './user.entity.js';

/** Users own the junction of their roles. */
export const USER_ROLES: Junction = { table: 'user_roles', owner: 'user_id', item: 'role_id' };

export interface NewUser {
  username: string;
  passwordHash: string;
  email?: string | null;
  phone?: string | null;
  nickname?: string | null;
  status?: UserStatus;
  /** Default: the USER role only (docs/api.md §3: a new account gets the USER role). */
  roleIds?: number[];
}

/** A profile change, planned by `planProfile` and written by `applyProfile`. */
export interface ProfileChange {
  userId: string;
  changes: Partial<User>;
  /** The fields that change, as the audit log names them. */
  fields: string[];
  /** Set when the email changes. */
  emailChange?: { from: string | null; to: string | null };
  /** Email or phone change: a user needs their password for it (docs/api.md §4). */
  changesContact: boolean;
  /** Set by `applyProfile` when the new email is to be verified; mailed by `notifyEmailChange`. */
  verification?: PendingVerification | null;
}

export interface ProfilePatch {
  nickname?: string | null;
  email?: string | null;
  phone?: string | null;
  avatar?: string | null;
  status?: UserStatus;
}

/** Users as stored: lookup for login, creation, profile changes. */
@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly roles: RolesService,
    private readonly tokens: UserTokensService,
    private readonly mail: MailService,
    private readonly verification: EmailVerificationService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private readonly logger = new Logger(UsersService.name);

  /** E.164, or 400 VALIDATION_FAILED naming the field. */
  normalisePhone(phone: string, field = 'phone'): string {
    const e164 = toE164(phone, this.config.i18n.phoneRegion);
    if (!e164) {
      throw new AppException(ErrorCode.VALIDATION_FAILED, {
        details: [
          detail(
            field,
            'invalid_format',
            { format: 'phone' },
            `${field} must be a valid phone number (E.164, or national in ${this.config.i18n.phoneRegion})`,
          ),
        ],
      });
    }
    return e164;
  }

  /** The live user that a login name (username, email or phone) denotes, with the password hash. */
  async findForLogin(login: string): Promise<User | null> {
    const key = login.trim().toLowerCase();
    const { phone } = canonicalLogin(login, this.config.i18n.phoneRegion);
    // Hand-written (lean-sql.ts): every login runs it.
    const names = ['username_key = :key', ...(key.includes('@') ? ['email_key = :key'] : []), ...(phone ? ['phone_key = :phone'] : [])];
    const em = this.users.manager;
    const { rows } = await leanQuery(em, `SELECT * FROM users WHERE (${names.join(' OR ')}) AND deleted_at IS NULL`, { key, phone });
    const found = rows.map((row) => hydrate(em, User, row));
    // A username is preferred over an email or phone that happens to read the same.
    return found.find((u) => u.usernameKey === key) ?? found[0] ?? null;
  }

  findWithHash(id: string): Promise<User | null> {
    return this.users.createQueryBuilder('u').addSelect('u.passwordHash').where('u.id = :id', { id }).getOne();
  }

  findById(id: string, em?: EntityManager): Promise<User | null> {
    return (em?.getRepository(User) ?? this.users).findOne({ where: { id }, relations: { roles: true } });
  }

  /**
   * A live user with their roles and each role's permissions, inside the caller's transaction:
   * what an administrator's change is checked against (privilege.ts). 404 when absent or deleted.
   */
  async findForAdmin(em: EntityManager, id: string): Promise<User> {
    const user = await em.getRepository(User).findOne({ where: { id }, relations: { roles: true } });
    if (!user) throw new AppException(ErrorCode.NOT_FOUND);
    user.roles = await this.roles.findByIdsOrFail(
      em,
      user.roles.map((r) => r.id),
    );
    return user;
  }

  async findByEmail(email: string): Promise<User | null> {
    return this.users.findOne({ where: { emailKey: email.trim().toLowerCase() } });
  }

  /** Inserts a user with their roles, inside the caller's transaction. Unique clashes surface as 409s. */
  async create(em: EntityManager, input: NewUser): Promise<User> {
    const email = input.email ? input.email.trim().toLowerCase() : null;
    const phone = input.phone ? this.normalisePhone(input.phone) : null;
    const user = em.getRepository(User).create({
      id: randomUUID(),
      username: input.username,
      usernameKey: input.username.toLowerCase(),
      email,
      emailKey: email,
      phone,
      phoneKey: phone,
      nickname: input.nickname ?? null,
      avatar: null,
      passwordHash: input.passwordHash,
      status: input.status ?? 'active',
      emailVerified: false,
      lastLoginAt: null,
    });
    await em.getRepository(User).insert(user);
    const roleIds = input.roleIds ?? (await this.roles.idsByCode([SystemRole.USER], em));
    await replaceLinks(em, USER_ROLES, user.id, [], roleIds);
    return (await this.findById(user.id, em))!;
  }

  /** What a profile patch would change, normalised; nothing is written. */
  planProfile(user: User, patch: ProfilePatch): ProfileChange {
    const changes: Partial<User> = {};
    if (patch.nickname !== undefined && patch.nickname !== user.nickname) changes.nickname = patch.nickname;
    if (patch.avatar !== undefined && patch.avatar !== user.avatar) changes.avatar = patch.avatar;
    if (patch.status !== undefined && patch.status !== user.status) changes.status = patch.status;
    let emailChange: ProfileChange['emailChange'];
    if (patch.email !== undefined) {
      const email = patch.email ? patch.email.trim().toLowerCase() : null;
      if (email !== user.email) {
        changes.email = email;
        changes.emailKey = email;
        changes.emailVerified = false;
        emailChange = { from: user.email, to: email };
      }
    }
    if (patch.phone !== undefined) {
      const phone = patch.phone ? this.normalisePhone(patch.phone) : null;
      if (phone !== user.phone) {
        changes.phone = phone;
        changes.phoneKey = phone;
      }
    }
    const fields = Object.keys(changes).filter((k) => !['emailKey', 'phoneKey', 'emailVerified'].includes(k));
    return { userId: user.id, changes, fields, emailChange, changesContact: 'email' in changes || 'phone' in changes };
  }

  /**
   * Writes a planned change in the caller's transaction. An email change un-verifies the
   * email, cancels pending reset and verification links (they were sent to the old address)
   * and makes a verification link for the new one (docs/api.md §12).
   */
  async applyProfile(em: EntityManager, plan: ProfileChange): Promise<void> {
    if (!plan.fields.length) return;
    await em.getRepository(User).update({ id: plan.userId }, plan.changes);
    if (plan.emailChange) {
      await this.tokens.cancel(plan.userId, undefined, em);
      plan.verification = await this.verification.issue(em, { id: plan.userId, email: plan.emailChange.to });
    }
  }

  /**
   * After the commit: the old address hears of the change, so a takeover does not go
   * unnoticed (docs/api.md §4), and the new one gets its verification link.
   */
  async notifyEmailChange(plan: ProfileChange, locale: Locale): Promise<void> {
    const change = plan.emailChange;
    if (!change) return;
    if (change.from) {
      await this.mail.sendEmailChanged(change.from, change.to, locale).catch((err: unknown) => {
        this.logger.error(`email change notice failed: ${err instanceof Error ? err.message : String(err)}`);
      });
    }
    await this.verification.deliver(plan.verification ?? null, locale);
  }

  /** A new password hash; pending reset links stop working (docs/api.md §4). */
  async setPasswordHash(userId: string, hash: string, em: EntityManager): Promise<void> {
    await em.getRepository(User).update({ id: userId }, { passwordHash: hash });
    await this.tokens.cancel(userId, 'password_reset', em);
  }

  /** Turns the second-factor flag on or off, in the caller's transaction (the mfa module keeps the factor itself). */
  async setMfaEnabled(em: EntityManager, userId: string, enabled: boolean): Promise<void> {
    await em.getRepository(User).update({ id: userId }, { mfaEnabled: enabled });
  }

  /**
   * Stores a re-hash of the same password (a legacy bcrypt hash upgraded to argon2id) only if
   * the hash is still the one checked; false when it changed meanwhile. Unlike
   * `setPasswordHash`, nothing else changes: the password is the same.
   */
  async upgradeHash(userId: string, checkedHash: string, newHash: string): Promise<boolean> {
    const result = await this.users.update({ id: userId, passwordHash: checkedHash }, { passwordHash: newHash });
    return result.affected === 1;
  }

  /**
   * After a successful sign-in: stamps `last_login_at` (and stores the upgraded hash) only
   * if the password hash and status are still the ones checked, so a sign-in racing a
   * password reset, change or disable cannot create a session that outlives it.
   * Returns false when the user changed meanwhile.
   */
  async stampLogin(em: EntityManager, userId: string, checkedHash: string, at: Date, newHash: string | null): Promise<boolean> {
    // Hand-written (lean-sql.ts): every login runs it. `updated_at` moves as TypeORM's update moved it.
    const { affected } = await leanQuery(
      em,
      `UPDATE users SET last_login_at = :at, updated_at = :at${newHash ? ', password_hash = :newHash' : ''} WHERE id = :userId AND password_hash = :checkedHash AND status = 'active'`,
      { at, userId, checkedHash, newHash },
    );
    return affected === 1;
  }
}
