import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { PASSWORD_HARD_MAX } from '../../credentials/password-policy.js';
import { AccountDto } from '../../users/dto/account.dto.js';
import { MeDto } from '../../users/dto/user.dto.js';

/** POST /auth/register: the account fields (docs/api.md §3). */
export class RegisterDto extends AccountDto {}

export class LoginDto {
  @ApiProperty({ example: 'admin', description: 'Username, email or phone' })
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  username: string;

  @ApiProperty({ example: 'your password' })
  @IsString()
  @MaxLength(PASSWORD_HARD_MAX)
  password: string;

  @ApiPropertyOptional({
    description: 'From GET /auth/captcha, once a captcha is required',
    example: '0b9f5c2e-7d1a-4f4e-9a51-3c2d7e8f9a10',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  captcha_id?: string;

  @ApiPropertyOptional({ description: 'The characters in the captcha image', example: 'x7Kp' })
  @IsOptional()
  @IsString()
  @MaxLength(16)
  captcha_code?: string;
}

export class RefreshDto {
  @ApiPropertyOptional({
    description: 'The refresh token, when not sent as `Authorization: Bearer`',
    example: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0ZjJhLi4uIiwidHlwIjoicmVmcmVzaCJ9.c2lnbmF0dXJl',
  })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  refresh_token?: string;
}

export class LogoutDto {
  @ApiPropertyOptional({ description: 'Revoke every session of the user, not only this one', default: false, example: false })
  @IsOptional()
  @IsBoolean()
  all_sessions?: boolean;
}

export class ForgotPasswordDto {
  @ApiProperty({ example: 'alice@example.com' })
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email: string;
}

export class VerifyResetQuery {
  @ApiProperty({ description: 'The token from the reset mail', example: 'k3J9q0Zb7x1YtQ2mW8nR5vL4sD6fH0aC' })
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  token: string;
}

export class ResetPasswordDto {
  @ApiProperty({ description: 'The token from the reset mail', example: 'k3J9q0Zb7x1YtQ2mW8nR5vL4sD6fH0aC' })
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  token: string;

  @ApiProperty({ minLength: 8, maxLength: 128, example: 'four or more new random words' })
  @IsString()
  @MaxLength(PASSWORD_HARD_MAX)
  new_password: string;
}

export class TokenPairDto {
  @ApiProperty({
    description: 'A JWT for `Authorization: Bearer` on every other route',
    example: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0ZjJhLi4uIiwidHlwIjoiYWNjZXNzIn0.c2lnbmF0dXJl',
  })
  access_token: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'A single-use JWT for POST /auth/refresh; null in cookie mode (`X-Token-Delivery: cookie`), where it is the cookie `authcentre_rt`',
    example: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0ZjJhLi4uIiwidHlwIjoicmVmcmVzaCJ9.c2lnbmF0dXJl',
  })
  refresh_token: string | null;
  @ApiProperty({ enum: ['Bearer'], example: 'Bearer' }) token_type: 'Bearer';
  @ApiProperty({ example: 900, description: 'Seconds' }) expires_in: number;
  @ApiProperty({ example: 604800, description: 'Seconds' }) refresh_expires_in: number;
  @ApiPropertyOptional({
    description:
      'Cookie mode only: the value of the `authcentre_csrf` cookie, to send as `X-CSRF-Token` with every request that uses the ' +
      'refresh cookie. Stable for the session; for frontends that cannot read the cookie (another host than the service).',
    example: 'n1xQ2vR6c0mZ8pL4tY7wK3sB9dF5hJ1aGqE0uI2oP6c',
  })
  csrf_token?: string;
}

export class LoginResultDto extends TokenPairDto {
  @ApiProperty({
    type: Boolean,
    enum: [false],
    example: false,
    description: 'Always false here: signed in. With a second factor the login answers MfaChallengeDto instead (API.md §11).',
  })
  mfa_required: false;
  @ApiProperty({ type: MeDto }) user: MeDto;
}

export class VerifyEmailDto {
  @ApiProperty({ description: 'The token from the verification mail', example: 'k3J9q0Zb7x1YtQ2mW8nR5vL4sD6fH0aC' })
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  token: string;
}

export class CaptchaDto {
  @ApiProperty({ example: '0b9f5c2e-7d1a-4f4e-9a51-3c2d7e8f9a10' }) captcha_id: string;
  @ApiProperty({ example: 'data:image/svg+xml;base64,...' }) image: string;
  @ApiProperty({ example: 120 }) expires_in: number;
}

export class ResetTokenStatusDto {
  @ApiProperty({ enum: [true], example: true }) valid: true;
  @ApiProperty({ format: 'date-time', example: '2025-01-01T12:30:00.000Z' }) expires_at: string;
}
