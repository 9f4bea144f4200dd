import { Column, CreateDateColumn, Entity, Index, JoinTable, ManyToMany, PrimaryColumn, UpdateDateColumn, type Relation } from 'typeorm';
import { Role } from '../roles/role.entity.js';

export type ClientType = 'confidential' | 'public';
export type ClientStatus = 'active' | 'disabled';

/** One secret of a confidential client: only its SHA-256, and until when it works (null: until replaced). */
export interface StoredSecret {
  digest: string;
  /** Epoch seconds after which this (previous) secret stops working; null for the current one. */
  not_after: number | null;
}

/** An OAuth client of the authorization server (docs/api.md §9). */
@Entity({ name: 'clients' })
export class OAuthClient {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('UQ_clients_client_id', { unique: true })
  @Column({ name: 'client_id', type: 'varchar', length: 64 })
  clientId: string;

  @Column({ type: 'varchar', length: 128 })
  name: string;

  @Column({ type: 'varchar', length: 16 })
  type: ClientType;

  @Column({ name: 'redirect_uris', type: 'simple-json' })
  redirectUris: string[];

  @Column({ name: 'post_logout_redirect_uris', type: 'simple-json' })
  postLogoutRedirectUris: string[];

  @Column({ name: 'grant_types', type: 'simple-json' })
  grantTypes: string[];

  @Column({ type: 'simple-json' })
  scopes: string[];

  @Column({ name: 'first_party', type: 'boolean', default: false })
  firstParty: boolean;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status: ClientStatus;

  /** Confidential clients: the current secret's digest, and a previous one in its grace period. */
  @Column({ type: 'simple-json', nullable: true, select: false })
  secrets: StoredSecret[] | null;

  /** The roles of the client's service account (client_credentials tokens act with them). */
  @ManyToMany(() => Role)
  @JoinTable({
    name: 'client_roles',
    joinColumn: { name: 'client_id', referencedColumnName: 'id', foreignKeyConstraintName: 'FK_client_roles_client' },
    inverseJoinColumn: { name: 'role_id', referencedColumnName: 'id', foreignKeyConstraintName: 'FK_client_roles_role' },
  })
  roles: Relation<Role[]>;

  @CreateDateColumn({ name: 'created_at', type: 'datetime', precision: 6 })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime', precision: 6 })
  updatedAt: Date;
}
