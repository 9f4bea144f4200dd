import { ApiProperty } from '@nestjs/swagger';
import {
  CatalogueEntryFields,
  CatalogueEntryPatch,
  CatalogueEntryView,
  toCatalogueEntryDto,
  type CatalogueSpec,
} from '../../common/catalogue/catalogue.dto.js';
import { CATALOGUE_SORTS } from '../../common/catalogue/catalogue-admin.js';
import { SortablePageQuery } from '../../common/pagination/page-query.dto.js';
import type { Permission } from '../permission.entity.js';

export const PERMISSION_CODE = /^[a-z][a-z0-9_-]*(:[a-z0-9_-]+)*$/;

const SPEC: CatalogueSpec = {
  noun: 'permissions',
  code: PERMISSION_CODE,
  codeMaxLength: 128,
  example: { code: 'order:refund', name: 'Refund orders', description: 'Refund a paid order' },
};

/** How a role lists its permissions. */
export class PermissionRefDto {
  @ApiProperty({ example: 1 }) id: number;
  @ApiProperty({ example: 'user:read' }) code: string;
  @ApiProperty({ example: 'Read users' }) name: string;
}

export class PermissionDto extends CatalogueEntryView({
  ...SPEC,
  id: 1,
  example: { code: 'user:read', name: 'Read users', description: 'List and view users' },
}) {}

export class CreatePermissionDto extends CatalogueEntryFields(SPEC) {}

export class UpdatePermissionDto extends CatalogueEntryPatch(SPEC) {}

/** keyword: code, name or description. Default order: id ascending. */
export class ListPermissionsQuery extends SortablePageQuery(CATALOGUE_SORTS) {}

export const toPermissionDto = (p: Permission): PermissionDto => toCatalogueEntryDto(p);

export function toPermissionRef(p: Permission): PermissionRefDto {
  return { id: p.id, code: p.code, name: p.name };
}
