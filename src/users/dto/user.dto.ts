import { ApiProperty } from '@nestjs/swagger';
import { RoleRefDto } from '../../roles/dto/role.dto.js';
import type { User } from '../user.entity.js';

/** A user as the API shows it: never a hash, a secret, a lock counter or the deleted flag. */
export class UserDto {
  @ApiProperty({ format: 'uuid', example: '4f2a6c1d-8b3e-4d5f-9a07-1b2c3d4e5f60' }) id: string;
  @ApiProperty({ example: 'alice' }) username: string;
  @ApiProperty({ type: String, nullable: true, example: 'Alice' }) nickname: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'alice@example.com' }) email: string | null;
  @ApiProperty({ type: String, nullable: true, example: '+8613800138000' }) phone: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'https://example.com/a.png' }) avatar: string | null;
  @ApiProperty({ enum: ['active', 'disabled'], example: 'active' }) status: 'active' | 'disabled';
  @ApiProperty({ example: false }) email_verified: boolean;
  @ApiProperty({ example: false, description: 'A second factor (TOTP) is on' }) mfa_enabled: boolean;
  @ApiProperty({ type: [RoleRefDto] }) roles: RoleRefDto[];
  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2025-01-01T12:00:00.000Z' }) last_login_at: string | null;
  @ApiProperty({ format: 'date-time', example: '2024-12-01T09:30:00.000Z' }) created_at: string;
  @ApiProperty({ format: 'date-time', example: '2024-12-24T18:00:00.000Z' }) updated_at: string;
}

/** The signed-in user: a User plus the sorted, de-duplicated codes of all their permissions. */
export class MeDto extends UserDto {
  @ApiProperty({ type: [String], example: ['user:read'] }) permissions: string[];
}

const iso = (d: Date | null | undefined): string | null => (d ? new Date(d).toISOString() : null);

export function toUserDto(user: User): UserDto {
  return {
    id: user.id,
    username: user.username,
    nickname: user.nickname,
    email: user.email,
    phone: user.phone,
    avatar: user.avatar,
    status: user.status,
    email_verified: Boolean(user.emailVerified),
    mfa_enabled: Boolean(user.mfaEnabled),
    roles: (user.roles ?? []).map((r) => ({ id: r.id, code: r.code, name: r.name })).sort((a, b) => a.id - b.id),
    last_login_at: iso(user.lastLoginAt),
    created_at: iso(user.createdAt)!,
    updated_at: iso(user.updatedAt)!,
  };
}
