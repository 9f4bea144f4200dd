import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  CatalogueEntryFields,
  CatalogueEntryPatch,
  CatalogueEntryView,
  toCatalogueEntryDto,
  type CatalogueSpec,
} from '../../common/catalogue/catalogue.dto.js';
import { CATALOGUE_SORTS } from '../../common/catalogue/catalogue-admin.js';
import { IdList } from '../../common/http/id-list.js';
import { SortablePageQuery } from '../../common/pagination/page-query.dto.js';
import { PermissionRefDto, toPermissionRef } from '../../permissions/dto/permission.dto.js';
import type { Role } from '../role.entity.js';

export const ROLE_CODE = /^[A-Z][A-Z0-9_]{1,63}$/;

const SPEC: CatalogueSpec = {
  noun: 'roles',
  code: ROLE_CODE,
  codeMaxLength: 64,
  example: { code: 'AUDITOR', name: 'Auditor', description: 'Reads the audit log' },
};

/** How a user or a client lists its roles. */
export class RoleRefDto {
  @ApiProperty({ example: 3 }) id: number;
  @ApiProperty({ example: 'USER' }) code: string;
  @ApiProperty({ example: 'User' }) name: string;
}

export class RoleDto extends CatalogueEntryView({
  ...SPEC,
  id: 2,
  example: { code: 'ADMIN', name: 'Administrator', description: 'Reads the audit log' },
}) {
  @ApiProperty({ type: [PermissionRefDto] }) permissions: PermissionRefDto[];
}

/** A set of permission ids: positive integers, no repeats. */
export class PermissionIdsDto {
  @ApiProperty({ type: [Number], example: [1, 5], description: 'Replaces the set; every id must exist (400 otherwise)' })
  @IdList()
  permission_ids: number[];
}

export class CreateRoleDto extends CatalogueEntryFields(SPEC) {
  @ApiPropertyOptional({ type: [Number], example: [13], description: 'Every id must exist (400 otherwise)' })
  @IdList({ optional: true })
  permission_ids?: number[];
}

export class UpdateRoleDto extends CatalogueEntryPatch(SPEC) {}

/** keyword: code, name or description. Default order: id ascending. */
export class ListRolesQuery extends SortablePageQuery(CATALOGUE_SORTS) {}

export function toRoleDto(role: Role): RoleDto {
  return {
    ...toCatalogueEntryDto(role),
    permissions: (role.permissions ?? []).map(toPermissionRef).sort((a, b) => a.id - b.id),
  };
}
