import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { SortablePageQuery } from '../../common/pagination/page-query.dto.js';
import type { Permission } from '../permission.entity.js';

export const PERMISSION_CODE = /^[a-z][a-z0-9_-]*(:[a-z0-9_-]+)*$/;
const CODE_MESSAGE = 'code must match ^[a-z][a-z0-9_-]*(:[a-z0-9_-]+)*$ (e.g. order:refund)';

/** How a role lists its permissions. */
export class PermissionRefDto {
  @ApiProperty({ example: 1 }) id: number;
  @ApiProperty({ example: 'user:read' }) code: string;
  @ApiProperty({ example: 'Read users' }) name: string;
}

export class PermissionDto {
  @ApiProperty({ example: 1 }) id: number;
  @ApiProperty({ example: 'user:read' }) code: string;
  @ApiProperty({ example: 'Read users' }) name: string;
  @ApiProperty({ type: String, nullable: true, example: 'List and view users' }) description: string | null;
  @ApiProperty({ description: 'System permissions cannot be deleted or re-coded' }) is_system: boolean;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
}

export class CreatePermissionDto {
  @ApiProperty({ example: 'order:refund', pattern: PERMISSION_CODE.source, maxLength: 128 })
  @IsString()
  @MaxLength(128)
  @Matches(PERMISSION_CODE, { message: CODE_MESSAGE })
  code: string;

  @ApiProperty({ example: 'Refund orders', maxLength: 64 })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  name: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 255, example: 'Refund a paid order' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  description?: string | null;
}

/** Every field optional; `code` and `name` cannot be null, `description: null` clears it. */
export class UpdatePermissionDto {
  @ApiPropertyOptional({ example: 'order:refund', pattern: PERMISSION_CODE.source, maxLength: 128 })
  @ValidateIf((o: UpdatePermissionDto) => o.code !== undefined)
  @IsString()
  @MaxLength(128)
  @Matches(PERMISSION_CODE, { message: CODE_MESSAGE })
  code?: string;

  @ApiPropertyOptional({ maxLength: 64, example: 'Refund orders' })
  @ValidateIf((o: UpdatePermissionDto) => o.name !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  name?: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 255, example: 'Refund a paid order' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  description?: string | null;
}

export const PERMISSION_SORTS = ['id', 'code', 'name', 'created_at', 'updated_at'] as const;

/** keyword: code, name or description. Default order: id ascending. */
export class ListPermissionsQuery extends SortablePageQuery(PERMISSION_SORTS) {}

const iso = (d: Date) => new Date(d).toISOString();

export function toPermissionDto(p: Permission): PermissionDto {
  return {
    id: p.id,
    code: p.code,
    name: p.name,
    description: p.description,
    is_system: Boolean(p.isSystem),
    created_at: iso(p.createdAt),
    updated_at: iso(p.updatedAt),
  };
}

export function toPermissionRef(p: Permission): PermissionRefDto {
  return { id: p.id, code: p.code, name: p.name };
}
