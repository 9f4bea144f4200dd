import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export type SigningAlg = 'ES256' | 'RS256' | 'EdDSA';
export type KeyStatus = 'next' | 'active' | 'retired';

/**
 * An asymmetric signing key (docs/api.md §8). `next`: published, not yet signing; `active`:
 * signs (one per algorithm); `retired`: published until every token it signed has expired,
 * then left out of the JWKS. The private half is sealed with ENCRYPTION_KEY.
 */
@Entity({ name: 'signing_keys' })
export class SigningKey {
  /** The JWK thumbprint of the public key (RFC 7638). */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  kid: string;

  @Column({ type: 'varchar', length: 8 })
  alg: SigningAlg;

  @Column({ type: 'varchar', length: 8 })
  status: KeyStatus;

  /** The public JWK, as JSON. */
  @Column({ name: 'public_jwk', type: 'text' })
  publicJwk: string;

  /** The private JWK as JSON, sealed (Sealer, context = kid). */
  @Column({ name: 'private_jwk', type: 'text' })
  privateJwk: string;

  @CreateDateColumn({ name: 'created_at', type: 'datetime', precision: 6 })
  createdAt: Date;

  @Column({ name: 'activated_at', type: 'datetime', precision: 6, nullable: true })
  activatedAt: Date | null;

  @Column({ name: 'retired_at', type: 'datetime', precision: 6, nullable: true })
  retiredAt: Date | null;
}
