import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { LoginAttemptsService } from '../credentials/login-attempts.service.js';
import { AppException } from '../common/errors/app.exception.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import { fetchPage, orderBy, toPage, whereKeyword, type Page, type SortSpec } from '../common/pagination/page.js';
import type { ListUsersQuery, LoginStatusDto } from './dto/admin-user.dto.js';
import { toUserDto, type UserDto } from './dto/user.dto.js';
import { RolesService } from '../roles/roles.service.js';
import { User } from './user.entity.js';
import { USER_ROLES, UsersService } from './users.service.js';

const SORT: SortSpec<NonNullable<ListUsersQuery['sort']>> = {
  columns: {
    // The lower-cased keys, so the order is case-insensitive on SQLite as on MariaDB.
    username: 'u.usernameKey',
    nickname: 'u.nickname',
    email: 'u.emailKey',
    status: 'u.status',
    created_at: 'u.createdAt',
    updated_at: 'u.updatedAt',
    last_login_at: 'u.lastLoginAt',
  },
  default: { field: 'created_at', order: 'asc' },
  tiebreak: 'u.id',
};

/** The read side of user administration: lists, one user, login status. Soft-deleted users do not exist here. */
@Injectable()
export class UserQueryService {
  constructor(
    @InjectRepository(User) private readonly repo: Repository<User>,
    private readonly users: UsersService,
    private readonly attempts: LoginAttemptsService,
    private readonly roles: RolesService,
  ) {}

  async list(query: ListUsersQuery): Promise<Page<UserDto>> {
    // TypeORM adds `deleted_at IS NULL` to every query of User (its @DeleteDateColumn).
    const qb = this.repo.createQueryBuilder('u');
    whereKeyword(qb, ['u.username', 'u.nickname', 'u.email', 'u.phone'], query.keyword);
    if (query.status) qb.andWhere('u.status = :status', { status: query.status });
    if (query.role) {
      // A code that names no role matches nobody (-1 is no id).
      const [roleId = -1] = await this.roles.idsByCode([query.role]);
      qb.andWhere(`EXISTS (SELECT 1 FROM ${USER_ROLES.table} ur WHERE ur.${USER_ROLES.owner} = u.id AND ur.${USER_ROLES.item} = :roleId)`, {
        roleId,
      });
    }
    orderBy(qb, SORT, query.sort, query.order);
    const { rows, total } = await fetchPage(qb, query);
    // The page is chosen without joins (so LIMIT counts users), then their roles are loaded.
    const withRoles = rows.length ? await this.repo.find({ where: { id: In(rows.map((u) => u.id)) }, relations: { roles: true } }) : [];
    const byId = new Map(withRoles.map((u) => [u.id, u]));
    return toPage(
      rows.map((u) => toUserDto(byId.get(u.id) ?? u)),
      total,
      query,
    );
  }

  async get(id: string): Promise<UserDto> {
    const user = await this.repo.findOne({ where: { id }, relations: { roles: true } });
    if (!user) throw new AppException(ErrorCode.NOT_FOUND);
    return toUserDto(user);
  }

  /**
   * The lockout state of a login name as typed: of the account it denotes (every name of
   * one account shares one count), or of the name itself (docs/api.md §3).
   */
  async loginStatus(username: string): Promise<LoginStatusDto> {
    const user = await this.users.findForLogin(username);
    const status = await this.attempts.status(this.attempts.keyOf(user ? { userId: user.id } : { name: username }));
    return {
      username,
      failed_attempts: status.failedAttempts,
      locked: status.locked,
      locked_until: status.lockedUntil ? status.lockedUntil.toISOString() : null,
    };
  }
}
