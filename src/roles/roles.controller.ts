import { Body, Controller, Delete, Get, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequirePermissions } from '../authz/require-permissions.decorator.js';
import { CurrentPrincipal, type Principal } from '../authz/principal.js';
import { ErrorCode as E } from '../common/errors/error-codes.js';
import { IdParam } from '../common/http/id-param.js';
import { Ctx, type RequestContext } from '../common/http/request-context.js';
import type { Page } from '../common/pagination/page.js';
import { ApiEnvelope, ApiErrors, ApiPageEnvelope } from '../common/swagger/api-envelope.js';
import { Perm } from '../authz/permission-catalogue.js';
import { CreateRoleDto, ListRolesQuery, PermissionIdsDto, RoleDto, UpdateRoleDto } from './dto/role.dto.js';
import { RolesService } from './roles.service.js';

const REACH =
  'A caller who is not SUPER_ADMIN can only manage roles they could assign (not SUPER_ADMIN, no permission they lack) ' +
  'and only grant or withdraw permissions they hold (403 FORBIDDEN).';

/** docs/api.md §5: role administration. */
@ApiTags('roles')
@Controller('roles')
export class RolesController {
  constructor(private readonly roles: RolesService) {}

  @Get()
  @RequirePermissions(Perm.ROLE_READ)
  @ApiOperation({
    summary: 'List roles with their permissions',
    description: '`keyword` matches code, name or description. Default order: id ascending.',
  })
  @ApiPageEnvelope(RoleDto)
  @ApiErrors(E.VALIDATION_FAILED)
  list(@Query() query: ListRolesQuery): Promise<Page<RoleDto>> {
    return this.roles.list(query);
  }

  @Post()
  @RequirePermissions(Perm.ROLE_CREATE)
  @ApiOperation({ summary: 'Create a role', description: REACH })
  @ApiEnvelope(RoleDto, 201, 'Created')
  @ApiErrors(E.VALIDATION_FAILED, E.INVALID_JSON, E.ROLE_CODE_TAKEN)
  create(@CurrentPrincipal() me: Principal, @Body() dto: CreateRoleDto, @Ctx() ctx: RequestContext): Promise<RoleDto> {
    return this.roles.create(me, dto, ctx);
  }

  @Get(':id')
  @RequirePermissions(Perm.ROLE_READ)
  @ApiOperation({ summary: 'One role with its permissions' })
  @ApiEnvelope(RoleDto)
  @ApiErrors(E.NOT_FOUND)
  get(@IdParam() id: number): Promise<RoleDto> {
    return this.roles.get(id);
  }

  @Patch(':id')
  @RequirePermissions(Perm.ROLE_UPDATE)
  @ApiOperation({ summary: 'Change a role', description: `System roles cannot be re-coded (409 PROTECTED_RESOURCE). ${REACH}` })
  @ApiEnvelope(RoleDto)
  @ApiErrors(E.VALIDATION_FAILED, E.INVALID_JSON, E.NOT_FOUND, E.ROLE_CODE_TAKEN, E.PROTECTED_RESOURCE)
  update(
    @CurrentPrincipal() me: Principal,
    @IdParam() id: number,
    @Body() dto: UpdateRoleDto,
    @Ctx() ctx: RequestContext,
  ): Promise<RoleDto> {
    return this.roles.update(me, id, dto, ctx);
  }

  @Delete(':id')
  @RequirePermissions(Perm.ROLE_DELETE)
  @ApiOperation({
    summary: 'Delete a role (its users lose it)',
    description: `System roles cannot be deleted (409 PROTECTED_RESOURCE). ${REACH}`,
  })
  @ApiEnvelope(null)
  @ApiErrors(E.NOT_FOUND, E.PROTECTED_RESOURCE)
  async remove(@CurrentPrincipal() me: Principal, @IdParam() id: number, @Ctx() ctx: RequestContext): Promise<null> {
    await this.roles.remove(me, id, ctx);
    return null;
  }

  @Put(':id/permissions')
  @RequirePermissions(Perm.ROLE_UPDATE)
  @ApiOperation({
    summary: "Replace the role's permissions",
    description: `An unknown permission id is 400 VALIDATION_FAILED. SUPER_ADMIN has every permission by definition: its set cannot be set (409 PROTECTED_RESOURCE). ${REACH}`,
  })
  @ApiEnvelope(RoleDto)
  @ApiErrors(E.VALIDATION_FAILED, E.INVALID_JSON, E.NOT_FOUND, E.PROTECTED_RESOURCE)
  setPermissions(
    @CurrentPrincipal() me: Principal,
    @IdParam() id: number,
    @Body() dto: PermissionIdsDto,
    @Ctx() ctx: RequestContext,
  ): Promise<RoleDto> {
    return this.roles.setPermissions(me, id, dto.permission_ids, ctx);
  }
}
