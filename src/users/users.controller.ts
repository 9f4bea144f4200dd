import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequirePermissions } from '../authz/require-permissions.decorator.js';
import { CurrentPrincipal, type Principal } from '../authz/principal.js';
import { ErrorCode as E } from '../common/errors/error-codes.js';
import { UuidParam } from '../common/http/id-param.js';
import { Ctx, type RequestContext } from '../common/http/request-context.js';
import type { Page } from '../common/pagination/page.js';
import { ApiEnvelope, ApiErrors, ApiPageEnvelope } from '../common/swagger/api-envelope.js';
import { Perm } from '../authz/permission-catalogue.js';
import {
  CreateUserDto,
  ListUsersQuery,
  LoginStatusDto,
  LoginStatusQuery,
  RoleIdsDto,
  SetPasswordDto,
  UpdateUserDto,
} from './dto/admin-user.dto.js';
import { UserDto } from './dto/user.dto.js';
import { UserQueryService } from './user-query.service.js';
import { UserRolesService } from './user-roles.service.js';
import { UsersAdminService } from './users-admin.service.js';

const NOT_SUPER =
  'A caller who is not SUPER_ADMIN cannot change a SUPER_ADMIN user, nor a user holding a role with a permission the caller lacks (403 FORBIDDEN).';

/**
 * docs/api.md §5: user administration. `/users/me…` (MeController) and `/users/login-status`
 * are static paths, which Fastify's router matches before `/users/:id` whatever the
 * order of registration.
 */
@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(
    private readonly query: UserQueryService,
    private readonly admin: UsersAdminService,
    private readonly roles: UserRolesService,
  ) {}

  @Get()
  @RequirePermissions(Perm.USER_READ)
  @ApiOperation({
    summary: 'List users',
    description:
      '`keyword` matches username, nickname, email or phone; `status` and `role` (a role code) filter. Default order: created_at ascending.',
  })
  @ApiPageEnvelope(UserDto)
  @ApiErrors(E.VALIDATION_FAILED)
  list(@Query() query: ListUsersQuery): Promise<Page<UserDto>> {
    return this.query.list(query);
  }

  @Post()
  @RequirePermissions(Perm.USER_CREATE)
  @ApiOperation({
    summary: 'Create a user',
    description:
      'Without `role_ids` the user gets the USER role. A caller who is not SUPER_ADMIN can only assign roles whose every permission they hold, ' +
      'never SUPER_ADMIN (403 FORBIDDEN). An unknown role id is 400 VALIDATION_FAILED.',
  })
  @ApiEnvelope(UserDto, 201, 'Created')
  @ApiErrors(E.VALIDATION_FAILED, E.INVALID_JSON, E.WEAK_PASSWORD, E.USERNAME_TAKEN, E.EMAIL_TAKEN, E.PHONE_TAKEN)
  create(@CurrentPrincipal() me: Principal, @Body() dto: CreateUserDto, @Ctx() ctx: RequestContext): Promise<UserDto> {
    return this.admin.create(me, dto, ctx);
  }

  @Get('login-status')
  @RequirePermissions(Perm.USER_READ)
  @ApiOperation({
    summary: 'Failed logins and lock of a login name',
    description: 'Counted per name as typed at login (username, email or phone), case-insensitively.',
  })
  @ApiEnvelope(LoginStatusDto)
  @ApiErrors(E.VALIDATION_FAILED)
  loginStatus(@Query() query: LoginStatusQuery): Promise<LoginStatusDto> {
    return this.query.loginStatus(query.username);
  }

  @Get(':id')
  @RequirePermissions(Perm.USER_READ)
  @ApiOperation({ summary: 'One user', description: '404 when absent or deleted.' })
  @ApiEnvelope(UserDto)
  @ApiErrors(E.NOT_FOUND)
  get(@UuidParam() id: string): Promise<UserDto> {
    return this.query.get(id);
  }

  @Patch(':id')
  @RequirePermissions(Perm.USER_UPDATE)
  @ApiOperation({
    summary: "Change a user's profile or status",
    description: `Disabling revokes all their sessions. Nobody can disable themselves or the last active SUPER_ADMIN (409 PROTECTED_RESOURCE). ${NOT_SUPER}`,
  })
  @ApiEnvelope(UserDto)
  @ApiErrors(E.VALIDATION_FAILED, E.INVALID_JSON, E.NOT_FOUND, E.EMAIL_TAKEN, E.PHONE_TAKEN, E.PROTECTED_RESOURCE)
  update(
    @CurrentPrincipal() me: Principal,
    @UuidParam() id: string,
    @Body() dto: UpdateUserDto,
    @Ctx() ctx: RequestContext,
  ): Promise<UserDto> {
    return this.admin.update(me, id, dto, ctx);
  }

  @Delete(':id')
  @RequirePermissions(Perm.USER_DELETE)
  @ApiOperation({
    summary: 'Delete a user (soft delete)',
    description: `Frees their username, email and phone; revokes their sessions. Nobody can delete themselves or the last active SUPER_ADMIN (409 PROTECTED_RESOURCE). ${NOT_SUPER}`,
  })
  @ApiEnvelope(null)
  @ApiErrors(E.NOT_FOUND, E.PROTECTED_RESOURCE)
  async remove(@CurrentPrincipal() me: Principal, @UuidParam() id: string, @Ctx() ctx: RequestContext): Promise<null> {
    await this.admin.remove(me, id, ctx);
    return null;
  }

  @Put(':id/roles')
  @RequirePermissions(Perm.USER_UPDATE)
  @ApiOperation({
    summary: "Replace the user's roles",
    description:
      'An unknown role id is 400 VALIDATION_FAILED. A caller who is not SUPER_ADMIN can only add or remove roles whose every permission they hold, ' +
      `never SUPER_ADMIN (403 FORBIDDEN). Taking SUPER_ADMIN from the last active one is 409 PROTECTED_RESOURCE. ${NOT_SUPER}`,
  })
  @ApiEnvelope(UserDto)
  @ApiErrors(E.VALIDATION_FAILED, E.INVALID_JSON, E.NOT_FOUND, E.PROTECTED_RESOURCE)
  setRoles(
    @CurrentPrincipal() me: Principal,
    @UuidParam() id: string,
    @Body() dto: RoleIdsDto,
    @Ctx() ctx: RequestContext,
  ): Promise<UserDto> {
    return this.roles.set(me, id, dto.role_ids, ctx);
  }

  @Put(':id/password')
  @RequirePermissions(Perm.USER_UPDATE)
  @ApiOperation({ summary: "Set a user's password", description: `Revokes all their sessions. ${NOT_SUPER}` })
  @ApiEnvelope(null)
  @ApiErrors(E.VALIDATION_FAILED, E.INVALID_JSON, E.WEAK_PASSWORD, E.NOT_FOUND)
  async setPassword(
    @CurrentPrincipal() me: Principal,
    @UuidParam() id: string,
    @Body() dto: SetPasswordDto,
    @Ctx() ctx: RequestContext,
  ): Promise<null> {
    await this.admin.setPassword(me, id, dto.new_password, ctx);
    return null;
  }

  @Delete(':id/sessions')
  @RequirePermissions(Perm.USER_UPDATE)
  @ApiOperation({ summary: "Revoke all of a user's sessions", description: NOT_SUPER })
  @ApiEnvelope(null)
  @ApiErrors(E.NOT_FOUND)
  async revokeSessions(@CurrentPrincipal() me: Principal, @UuidParam() id: string, @Ctx() ctx: RequestContext): Promise<null> {
    await this.admin.revokeSessions(me, id, ctx);
    return null;
  }

  @Post(':id/unlock')
  @HttpCode(200)
  @RequirePermissions(Perm.USER_UPDATE)
  @ApiOperation({ summary: 'Clear failed logins and the lock', description: `For the user's username, email and phone. ${NOT_SUPER}` })
  @ApiEnvelope(null)
  @ApiErrors(E.NOT_FOUND)
  async unlock(@CurrentPrincipal() me: Principal, @UuidParam() id: string, @Ctx() ctx: RequestContext): Promise<null> {
    await this.admin.unlock(me, id, ctx);
    return null;
  }
}
