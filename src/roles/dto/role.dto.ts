import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsInt, IsOptional, IsString, Matches, MaxLength, Min, MinLength, ValidateIf } from 'class-validator';
import { SortablePageQuery } from '../../common/pagination/page-query.dto.js';
import { PermissionRefDto, toPermissionRef } from '../../permissions/dto/permission.dto.js';
import type { Role } from '../role.entity.js';

export const ROLE_CODE = /^[A-Z][A-Z0-9_]{1,63}$/;
const CODE_MESSAGE = 'code must match ^[A-Z][A-Z0-9_]{1,63}$ (e.g. AUDITOR)';
/** More than any real role needs, few enough to keep one statement small. */
const MAX_IDS = 200;

export class RoleDto {
  @ApiProperty({ example: 2 }) id: number;
  @ApiProperty({ example: 'ADMIN' }) code: string;
  @ApiProperty({ example: 'Administrator' }) name: string;
  @ApiProperty({ type: String, nullable: true, example: 'Reads the audit log' }) description: string | null;
  @ApiProperty({ description: 'System roles cannot be deleted or re-coded' }) is_system: boolean;
  @ApiProperty({ type: [PermissionRefDto] }) permissions: PermissionRefDto[];
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
}

/** A set of permission ids: positive integers, no repeats. */
export class PermissionIdsDto {
  @ApiProperty({ type: [Number], example: [1, 5], description: 'Replaces the set; every id must exist (400 otherwise)' })
  @IsArray()
  @ArrayMaxSize(MAX_IDS)
  @ArrayUnique()
  @IsInt({ each: true })
  @Min(1, { each: true })
  permission_ids: number[];
}

export class CreateRoleDto {
  @ApiProperty({ example: 'AUDITOR', pattern: ROLE_CODE.source })
  @IsString()
  @Matches(ROLE_CODE, { message: CODE_MESSAGE })
  code: string;

  @ApiProperty({ example: 'Auditor', maxLength: 64 })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  name: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 255, example: 'Reads the audit log' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  description?: string | null;

  @ApiPropertyOptional({ type: [Number], example: [13], description: 'Every id must exist (400 otherwise)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_IDS)
  @ArrayUnique()
  @IsInt({ each: true })
  @Min(1, { each: true })
  permission_ids?: number[];
}

/** Every field optional; `code` and `name` cannot be null, `description: null` clears it. */
export class UpdateRoleDto {
  @ApiPropertyOptional({ example: 'AUDITOR', pattern: ROLE_CODE.source, description: 'System roles cannot be re-coded' })
  @ValidateIf((o: UpdateRoleDto) => o.code !== undefined)
  @IsString()
  @Matches(ROLE_CODE, { message: CODE_MESSAGE })
  code?: string;

  @ApiPropertyOptional({ maxLength: 64, example: 'Auditor' })
  @ValidateIf((o: UpdateRoleDto) => o.name !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  name?: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 255, example: 'Reads the audit log' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  description?: string | null;
}

export const ROLE_SORTS = ['id', 'code', 'name', 'created_at', 'updated_at'] as const;

/** keyword: code, name or description. Default order: id ascending. */
export class ListRolesQuery extends SortablePageQuery(ROLE_SORTS) {}

const iso = (d: Date) => new Date(d).toISOString();

export function toRoleDto(role: Role): RoleDto {
  return {
    id: role.id,
    code: role.code,
    name: role.name,
    description: role.description,
    is_system: Boolean(role.isSystem),
    permissions: (role.permissions ?? []).map(toPermissionRef).sort((a, b) => a.id - b.id),
    created_at: iso(role.createdAt),
    updated_at: iso(role.updatedAt),
  };
}
