import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import type { JWK } from 'jose';
import { SIGNING_ALGS } from '../key-material.js';
import type { KeyStatus, SigningAlg, SigningKey } from '../signing-key.entity.js';

export class SigningKeyDto {
  @ApiProperty({
    example: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
    description: 'The JWK thumbprint (RFC 7638); the JWT header `kid`',
  })
  kid: string;
  @ApiProperty({ enum: SIGNING_ALGS, example: 'ES256' }) alg: SigningAlg;
  @ApiProperty({
    enum: ['next', 'active', 'retired'],
    example: 'active',
    description: '`next`: published, not signing; `active`: signs; `retired`: published until its tokens expired',
  })
  status: KeyStatus;
  @ApiProperty({ format: 'date-time', example: '2026-01-01T12:00:00.000Z' }) created_at: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2026-01-01T12:00:00.000Z' }) activated_at: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null }) retired_at: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The public JWK (never a private part)',
    example: {
      kty: 'EC',
      crv: 'P-256',
      x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
      y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
      kid: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
      alg: 'ES256',
      use: 'sig',
    },
  })
  public_jwk: JWK;
}

export class CreateSigningKeyDto {
  @ApiProperty({ enum: SIGNING_ALGS, example: 'ES256' })
  @IsIn(SIGNING_ALGS)
  alg: SigningAlg;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export function toSigningKeyDto(row: SigningKey): SigningKeyDto {
  return {
    kid: row.kid,
    alg: row.alg,
    status: row.status,
    created_at: iso(row.createdAt)!,
    activated_at: iso(row.activatedAt),
    retired_at: iso(row.retiredAt),
    public_jwk: JSON.parse(row.publicJwk) as JWK,
  };
}
