import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsEmail, IsIn, IsInt, IsOptional, IsString, Matches, MaxLength, Min, MinLength, ValidateIf } from 'class-validator';
import { UpdateMeDto } from '../../auth/dto/me.dto.js';
import { SortablePageQuery } from '../../common/pagination/page-query.dto.js';
import type { UserStatus } from '../user.entity.js';

const STATUSES: UserStatus[] = ['active', 'disabled'];
/** Passwords are only checked to be strings here; the policy answers WEAK_PASSWORD (API.md §3). */
const PASSWORD_HARD_MAX = 4096;
const MAX_ROLE_IDS = 100;

export class CreateUserDto {
  @ApiProperty({ example: 'bob', pattern: '^[A-Za-z0-9_.-]{3,32}$' })
  @IsString()
  @Matches(/^[A-Za-z0-9_.-]{3,32}$/, { message: 'username must be 3-32 characters of A-Z a-z 0-9 _ . -' })
  username: string;

  @ApiProperty({ example: 'correct horse battery staple', minLength: 8, maxLength: 128 })
  @IsString()
  @MaxLength(PASSWORD_HARD_MAX)
  password: string;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'bob@example.com' })
  @IsOptional()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: '+8613800138000', description: 'E.164, or a national number of DEFAULT_PHONE_REGION' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  phone?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'Bob' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  nickname?: string | null;

  @ApiPropertyOptional({ enum: STATUSES, default: 'active' })
  @ValidateIf((o: CreateUserDto) => o.status !== undefined)
  @IsIn(STATUSES)
  status?: UserStatus;

  @ApiPropertyOptional({ type: [Number], example: [3], description: 'Default: the USER role. Every id must exist (400 otherwise).' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_ROLE_IDS)
  @ArrayUnique()
  @IsInt({ each: true })
  @Min(1, { each: true })
  role_ids?: number[];
}

/** The profile fields of PATCH /users/me plus `status`. Send `null` to clear a profile field. */
export class UpdateUserDto extends UpdateMeDto {
  @ApiPropertyOptional({ enum: STATUSES, description: 'Disabling revokes all their sessions' })
  @ValidateIf((o: UpdateUserDto) => o.status !== undefined)
  @IsIn(STATUSES)
  status?: UserStatus;
}

export class RoleIdsDto {
  @ApiProperty({ type: [Number], example: [2, 3], description: 'Replaces the set; every id must exist (400 otherwise)' })
  @IsArray()
  @ArrayMaxSize(MAX_ROLE_IDS)
  @ArrayUnique()
  @IsInt({ each: true })
  @Min(1, { each: true })
  role_ids: number[];
}

export class SetPasswordDto {
  @ApiProperty({ minLength: 8, maxLength: 128 })
  @IsString()
  @MaxLength(PASSWORD_HARD_MAX)
  new_password: string;
}

export const USER_SORTS = ['username', 'nickname', 'email', 'status', 'created_at', 'updated_at', 'last_login_at'] as const;

/** keyword: username, nickname, email or phone. Default order: created_at ascending. */
export class ListUsersQuery extends SortablePageQuery(USER_SORTS) {
  @ApiPropertyOptional({ enum: STATUSES })
  @IsOptional()
  @IsIn(STATUSES)
  status?: UserStatus;

  @ApiPropertyOptional({ example: 'ADMIN', description: 'Only users holding the role with this code' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  role?: string;
}

export class LoginStatusQuery {
  @ApiProperty({ example: 'alice', description: 'A login name as typed at login: username, email or phone' })
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  username: string;
}

export class LoginStatusDto {
  @ApiProperty({ example: 'alice' }) username: string;
  @ApiProperty({ example: 2, description: 'Failures within the current window' }) failed_attempts: number;
  @ApiProperty() locked: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) locked_until: string | null;
}
