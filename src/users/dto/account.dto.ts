import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, IsUrl, Matches, MaxLength } from 'class-validator';
import { PASSWORD_HARD_MAX } from '../../credentials/password-policy.js';

/**
 * The fields an account is created with, by registration (POST /auth/register) or by an
 * administrator (POST /users). Passwords are only checked to be strings here; the
 * policy answers WEAK_PASSWORD (API.md §3).
 */
export class AccountDto {
  @ApiProperty({ example: 'alice', pattern: '^[A-Za-z0-9_.-]{3,32}$' })
  @IsString()
  @Matches(/^[A-Za-z0-9_.-]{3,32}$/, { message: 'username must be 3-32 characters of A-Z a-z 0-9 _ . -' })
  username: string;

  @ApiProperty({ example: 'four or more random words', minLength: 8, maxLength: 128 })
  @IsString()
  @MaxLength(PASSWORD_HARD_MAX)
  password: string;

  @ApiPropertyOptional({ example: 'alice@example.com' })
  @IsOptional()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({ example: '+8613800138000', description: 'E.164, or a national number of DEFAULT_PHONE_REGION' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  phone?: string;

  @ApiPropertyOptional({ example: 'Alice' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  nickname?: string;
}

/**
 * The profile fields a user changes on themselves (PATCH /users/me) and an administrator
 * on them (PATCH /users/:id). Send `null` to clear a field. Changing the email sets
 * `email_verified` to false.
 */
export class ProfilePatchDto {
  @ApiPropertyOptional({ type: String, nullable: true, example: 'Alice' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  nickname?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'alice@example.com' })
  @IsOptional()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: '+8613800138000' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  phone?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'https://example.com/avatar.png' })
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true }, { message: 'avatar must be an http(s) URL' })
  @MaxLength(512)
  avatar?: string | null;
}
