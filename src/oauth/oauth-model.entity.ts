import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The long-lived models of oidc-provider (Grant, RefreshToken, Session), one row each.
 * `payload` is the provider's JSON; the other columns are what the adapter looks rows up
 * by. Short-lived models (Interaction, AuthorizationCode, …) live in the shared state.
 */
@Entity({ name: 'oauth_models' })
@Index('IDX_oauth_models_grant', ['grantId'])
@Index('IDX_oauth_models_uid', ['uid'])
@Index('IDX_oauth_models_account', ['model', 'accountId'])
export class OAuthModel {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  model: string;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  id: string;

  @Column({ type: 'text' })
  payload: string;

  @Column({ name: 'grant_id', type: 'varchar', length: 64, nullable: true })
  grantId: string | null;

  @Column({ name: 'account_id', type: 'varchar', length: 36, nullable: true })
  accountId: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  uid: string | null;

  /** Sessions: the row of `sessions` this browser session is (kind `sso`), for revocation. */
  @Column({ name: 'session_id', type: 'varchar', length: 36, nullable: true })
  sessionId: string | null;

  @Column({ name: 'expires_at', type: 'datetime', precision: 6, nullable: true })
  expiresAt: Date | null;
}
