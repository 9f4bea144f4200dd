import { Body, Controller, Delete, Get, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequirePermissions } from '../authz/require-permissions.decorator.js';
import { CurrentPrincipal, type Principal } from '../authz/principal.js';
import { ErrorCode as E } from '../common/errors/error-codes.js';
import { IdParam } from '../common/http/id-param.js';
import { Ctx, type RequestContext } from '../common/http/request-context.js';
import type { Page } from '../common/pagination/page.js';
import { ApiEnvelope, ApiErrors, ApiPageEnvelope } from '../common/swagger/api-envelope.js';
import { CreatePermissionDto, ListPermissionsQuery, PermissionDto, UpdatePermissionDto } from './dto/permission.dto.js';
import { Perm } from '../authz/permission-catalogue.js';
import { PermissionsService } from './permissions.service.js';

/** docs/api.md §5: permission administration. */
@ApiTags('permissions')
@Controller('permissions')
export class PermissionsController {
  constructor(private readonly permissions: PermissionsService) {}

  @Get()
  @RequirePermissions(Perm.PERMISSION_READ)
  @ApiOperation({ summary: 'List permissions', description: '`keyword` matches code, name or description. Default order: id ascending.' })
  @ApiPageEnvelope(PermissionDto)
  @ApiErrors(E.VALIDATION_FAILED)
  list(@Query() query: ListPermissionsQuery): Promise<Page<PermissionDto>> {
    return this.permissions.list(query);
  }

  @Post()
  @RequirePermissions(Perm.PERMISSION_CREATE)
  @ApiOperation({ summary: 'Create a permission' })
  @ApiEnvelope(PermissionDto, 201, 'Created')
  @ApiErrors(E.VALIDATION_FAILED, E.INVALID_JSON, E.PERMISSION_CODE_TAKEN)
  create(@CurrentPrincipal() me: Principal, @Body() dto: CreatePermissionDto, @Ctx() ctx: RequestContext): Promise<PermissionDto> {
    return this.permissions.create(me, dto, ctx);
  }

  @Get(':id')
  @RequirePermissions(Perm.PERMISSION_READ)
  @ApiOperation({ summary: 'One permission' })
  @ApiEnvelope(PermissionDto)
  @ApiErrors(E.NOT_FOUND)
  get(@IdParam() id: number): Promise<PermissionDto> {
    return this.permissions.get(id);
  }

  @Patch(':id')
  @RequirePermissions(Perm.PERMISSION_UPDATE)
  @ApiOperation({
    summary: 'Change a permission',
    description:
      'A system permission cannot be re-coded (409 PROTECTED_RESOURCE). A caller who is not SUPER_ADMIN can change only ' +
      'permissions they hold or that no role carries, and can re-code only permissions that no role carries (403 FORBIDDEN).',
  })
  @ApiEnvelope(PermissionDto)
  @ApiErrors(E.VALIDATION_FAILED, E.INVALID_JSON, E.NOT_FOUND, E.PERMISSION_CODE_TAKEN, E.PROTECTED_RESOURCE)
  update(
    @CurrentPrincipal() me: Principal,
    @IdParam() id: number,
    @Body() dto: UpdatePermissionDto,
    @Ctx() ctx: RequestContext,
  ): Promise<PermissionDto> {
    return this.permissions.update(me, id, dto, ctx);
  }

  @Delete(':id')
  @RequirePermissions(Perm.PERMISSION_DELETE)
  @ApiOperation({
    summary: 'Delete a permission (it leaves every role that carried it)',
    description:
      'System permissions cannot be deleted (409 PROTECTED_RESOURCE). A caller who is not SUPER_ADMIN can delete only permissions they hold or that no role carries (403).',
  })
  @ApiEnvelope(null)
  @ApiErrors(E.NOT_FOUND, E.PROTECTED_RESOURCE)
  async remove(@CurrentPrincipal() me: Principal, @IdParam() id: number, @Ctx() ctx: RequestContext): Promise<null> {
    await this.permissions.remove(me, id, ctx);
    return null;
  }
}
