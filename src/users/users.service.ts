import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app.config.js';
import { AppException } from '../common/errors/app.exception.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import { Role } from '../roles/role.entity.js';
import { replaceLinks, USER_ROLES } from '../database/link-set.js';
import { toE164 } from './phone.js';
import { User, type UserStatus } from './user.entity.js';

export interface NewUser {
  username: string;
  passwordHash: string;
  email?: string | null;
  phone?: string | null;
  nickname?: string | null;
  status?: UserStatus;
  roleIds: number[];
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
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** E.164, or 400 VALIDATION_FAILED naming the field. */
  normalisePhone(phone: string, field = 'phone'): string {
    const e164 = toE164(phone, this.config.i18n.phoneRegion);
    if (!e164) {
      throw new AppException(ErrorCode.VALIDATION_FAILED, {
        details: [{ field, message: `${field} must be a valid phone number (E.164, or national in ${this.config.i18n.phoneRegion})` }],
      });
    }
    return e164;
  }

  /** The live user that a login name (username, email or phone) denotes, with the password hash. */
  async findForLogin(login: string): Promise<User | null> {
    const key = login.trim().toLowerCase();
    const qb = this.users.createQueryBuilder('u').addSelect('u.passwordHash').where('u.username_key = :key', { key });
    if (key.includes('@')) qb.orWhere('u.email_key = :key', { key });
    const phone = /^[+\d][\d\s-]{4,}$/.test(key) ? toE164(key, this.config.i18n.phoneRegion) : null;
    if (phone) qb.orWhere('u.phone_key = :phone', { phone });
    const found = await qb.getMany();
    // A username is preferred over an email or phone that happens to read the same.
    return found.find((u) => u.usernameKey === key) ?? found[0] ?? null;
  }

  findWithHash(id: string): Promise<User | null> {
    return this.users.createQueryBuilder('u').addSelect('u.passwordHash').where('u.id = :id', { id }).getOne();
  }

  findById(id: string, em?: EntityManager): Promise<User | null> {
    return (em?.getRepository(User) ?? this.users).findOne({ where: { id }, relations: { roles: true } });
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
    await replaceLinks(em, USER_ROLES, user.id, [], input.roleIds);
    return (await this.findById(user.id, em))!;
  }

  /** Applies a profile patch; an email change un-verifies the email. */
  async updateProfile(em: EntityManager, user: User, patch: ProfilePatch): Promise<string[]> {
    const changes: Partial<User> = {};
    if (patch.nickname !== undefined) changes.nickname = patch.nickname;
    if (patch.avatar !== undefined) changes.avatar = patch.avatar;
    if (patch.status !== undefined) changes.status = patch.status;
    if (patch.email !== undefined) {
      const email = patch.email ? patch.email.trim().toLowerCase() : null;
      if (email !== user.email) {
        changes.email = email;
        changes.emailKey = email;
        changes.emailVerified = false;
      }
    }
    if (patch.phone !== undefined) {
      const phone = patch.phone ? this.normalisePhone(patch.phone) : null;
      if (phone !== user.phone) {
        changes.phone = phone;
        changes.phoneKey = phone;
      }
    }
    const changed = Object.keys(changes).filter((k) => !['emailKey', 'phoneKey'].includes(k));
    if (Object.keys(changes).length) await em.getRepository(User).update({ id: user.id }, changes);
    return changed;
  }

  async setPasswordHash(userId: string, hash: string, em?: EntityManager): Promise<void> {
    await (em?.getRepository(User) ?? this.users).update({ id: userId }, { passwordHash: hash });
  }

  async roleIdsByCode(codes: string[], em?: EntityManager): Promise<number[]> {
    const roles = await (em?.getRepository(Role) ?? this.users.manager.getRepository(Role)).find({ where: { code: In(codes) } });
    return roles.map((r) => r.id);
  }
}
