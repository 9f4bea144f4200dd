import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { PASSWORD_HARD_MAX } from '../../credentials/password-policy.js';
import { IdList } from '../../common/http/id-list.js';
import { AccountDto, ProfilePatchDto } from './account.dto.js';
import { SortablePageQuery } from '../../common/pagination/page-query.dto.js';
import type { UserStatus } from '../user.entity.js';

const STATUSES: UserStatus[] = ['active', 'disabled'];

/** What POST /auth/register takes, plus the status and roles an administrator may set. */
export class CreateUserDto extends AccountDto {
  @ApiPropertyOptional({ enum: STATUSES, default: 'active' })
  @ValidateIf((o: CreateUserDto) => o.status !== undefined)
  @IsIn(STATUSES)
  status?: UserStatus;

  @ApiPropertyOptional({ type: [Number], example: [3], description: 'Default: the USER role. Every id must exist (400 otherwise).' })
  @IdList({ optional: true })
  role_ids?: number[];
}

/** The profile fields of PATCH /users/me plus `status`. Send `null` to clear a profile field. */
export class UpdateUserDto extends ProfilePatchDto {
  @ApiPropertyOptional({ enum: STATUSES, description: 'Disabling revokes all their sessions' })
  @ValidateIf((o: UpdateUserDto) => o.status !== undefined)
  @IsIn(STATUSES)
  status?: UserStatus;
}

export class RoleIdsDto {
  @ApiProperty({ type: [Number], example: [2, 3], description: 'Replaces the set; every id must exist (400 otherwise)' })
  @IdList()
  role_ids: number[];
}

export class SetPasswordDto {
  @ApiProperty({ minLength: 8, maxLength: 128, example: 'four or more random words' })
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

  @ApiPropertyOptional({ description: 'Only users holding the role with this code, e.g. `ADMIN`' })
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
