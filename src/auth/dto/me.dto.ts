import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { PASSWORD_HARD_MAX } from '../../credentials/password-policy.js';
import { ProfilePatchDto } from '../../users/dto/account.dto.js';

/** PATCH /users/me (docs/api.md §4). */
export class UpdateMeDto extends ProfilePatchDto {
  @ApiPropertyOptional({
    description: 'Your current password: required to change `email` or `phone` (400 WRONG_PASSWORD when missing or wrong)',
    example: 'your current password',
  })
  @IsOptional()
  @IsString()
  @MaxLength(PASSWORD_HARD_MAX)
  current_password?: string;
}

export class ChangePasswordDto {
  @ApiProperty({ example: 'your current password' })
  @IsString()
  @MinLength(1)
  @MaxLength(PASSWORD_HARD_MAX)
  old_password: string;

  @ApiProperty({ minLength: 8, maxLength: 128, example: 'four or more new random words' })
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
