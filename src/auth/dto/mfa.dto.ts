import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { PASSWORD_HARD_MAX } from '../../credentials/password-policy.js';
import { LoginResultDto } from './auth.dto.js';

const MFA_TOKEN_EXAMPLE = 'Q2hhbGxlbmdlLXRva2VuLWV4YW1wbGUtMzItYnl0ZXMtbG9uZw';
const SIX_DIGITS = /^\d{6}$/;

/** POST /auth/login/mfa (API.md §11): the token of the login answer and one proof. */
export class LoginMfaDto {
  @ApiProperty({ description: 'From the login answer', example: MFA_TOKEN_EXAMPLE })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  mfa_token: string;

  @ApiPropertyOptional({
    description: 'The 6 digits of the authenticator app (or of the new one, to complete an enrolment)',
    example: '492039',
  })
  @IsOptional()
  @IsString()
  @Matches(SIX_DIGITS, { message: 'code must be 6 digits' })
  code?: string;

  @ApiPropertyOptional({ description: 'One of the recovery codes instead of `code`; each works once', example: '7k2m9-q4x8h' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(32)
  recovery_code?: string;
}

/** POST /auth/login/mfa/enrol. */
export class MfaEnrolDto {
  @ApiProperty({ description: 'From the login answer that said `mfa_enrolment_required`', example: MFA_TOKEN_EXAMPLE })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  mfa_token: string;
}

/** The login answer when a second factor is owed: no tokens yet. */
export class MfaChallengeDto {
  @ApiProperty({ type: Boolean, enum: [true], example: true }) mfa_required: true;
  @ApiProperty({
    example: false,
    description:
      'The user must first set up an authenticator (MFA_REQUIRED_ROLES): POST /auth/login/mfa/enrol, then POST /auth/login/mfa with a code',
  })
  mfa_enrolment_required: boolean;
  @ApiProperty({ description: 'Single use; for POST /auth/login/mfa', example: MFA_TOKEN_EXAMPLE }) mfa_token: string;
  @ApiProperty({
    enum: ['totp', 'recovery_code'],
    isArray: true,
    example: ['totp', 'recovery_code'],
    description: 'What POST /auth/login/mfa accepts (only `totp` for an enrolment)',
  })
  mfa_methods: ('totp' | 'recovery_code')[];
  @ApiProperty({ example: 300, description: 'Seconds the mfa_token lives' }) expires_in: number;
}

/** A completed second step: the login answer, plus the recovery codes after a forced enrolment. */
export class MfaLoginResultDto extends LoginResultDto {
  @ApiPropertyOptional({
    type: [String],
    description: 'Only after an enrolment at login: the ten recovery codes, shown this once',
    example: ['7k2m9-q4x8h', 'p3c6w-z9t2r'],
  })
  recovery_codes?: string[];
}

/** A new authenticator secret, pending until a code of it confirms it. */
export class TotpEnrolmentDto {
  @ApiProperty({ description: 'Base32, to type into an authenticator app', example: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' }) secret: string;
  @ApiProperty({
    example: 'otpauth://totp/AuthCentre:alice?issuer=AuthCentre&secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30',
  })
  otpauth_url: string;
  @ApiProperty({ description: 'The otpauth URL as a QR code', example: 'data:image/svg+xml;base64,PHN2ZyB4bWxucz0i...' }) qr_code: string;
}

export class RecoveryCodesDto {
  @ApiProperty({ type: [String], description: 'Ten single-use codes, shown this once', example: ['7k2m9-q4x8h', 'p3c6w-z9t2r'] })
  recovery_codes: string[];
}

export class MfaStatusDto {
  @ApiProperty({ example: true }) totp_enabled: boolean;
  @ApiProperty({ example: 10, description: 'Unused recovery codes' }) recovery_codes_left: number;
  @ApiProperty({ example: false, description: 'A role of the user requires a second factor (MFA_REQUIRED_ROLES)' }) required: boolean;
}

export class PasswordConfirmDto {
  @ApiProperty({ description: 'Your current password', example: 'your current password' })
  @IsString()
  @MinLength(1)
  @MaxLength(PASSWORD_HARD_MAX)
  password: string;
}

export class TotpCodeDto {
  @ApiProperty({ description: 'A current code of the authenticator', example: '492039' })
  @IsString()
  @Matches(SIX_DIGITS, { message: 'code must be 6 digits' })
  code: string;
}

export class DisableTotpDto extends PasswordConfirmDto {
  @ApiProperty({ description: 'A current code of the authenticator', example: '492039' })
  @IsString()
  @Matches(SIX_DIGITS, { message: 'code must be 6 digits' })
  code: string;
}
