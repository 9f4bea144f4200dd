import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, IsUrl, MaxLength, MinLength } from 'class-validator';
import { PASSWORD_HARD_MAX } from './auth.dto.js';

/** Send `null` to clear a field. Changing the email sets `email_verified` to false. */
export class UpdateMeDto {
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

export class ChangePasswordDto {
  @ApiProperty({ example: 'correct horse battery staple' })
  @IsString()
  @MinLength(1)
  @MaxLength(PASSWORD_HARD_MAX)
  old_password: string;

  @ApiProperty({ minLength: 8, maxLength: 128, example: 'An0ther-g00d-passphrase' })
  @IsString()
  @MaxLength(PASSWORD_HARD_MAX)
  new_password: string;
}

export class SessionDto {
  @ApiProperty({ format: 'uuid', description: "The tokens' sid", example: '9d7c4b1e-2f3a-4e5b-8c6d-7e8f9a0b1c2d' }) id: string;
  @ApiProperty({ type: String, nullable: true, example: '203.0.113.7' }) ip: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'Mozilla/5.0 (X11; Linux x86_64)' }) user_agent: string | null;
  @ApiProperty({ format: 'date-time', example: '2025-01-01T12:00:00.000Z' }) created_at: string;
  @ApiProperty({ format: 'date-time', example: '2025-01-01T12:10:00.000Z' }) last_used_at: string;
  @ApiProperty({ format: 'date-time', example: '2025-01-08T12:00:00.000Z' }) expires_at: string;
  @ApiProperty({ description: 'The session of the token making this request', example: true }) current: boolean;
}
