import { Column, Entity, Index, JoinTable, ManyToMany, type Relation } from 'typeorm';
import { CatalogueEntry } from '../common/catalogue/catalogue-entry.js';
import { Permission } from '../permissions/permission.entity.js';

@Entity({ name: 'roles' })
export class Role extends CatalogueEntry {
  @Index('UQ_roles_code', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  code: string;

  /** Roles own the `role_permissions` junction (ROLE_PERMISSIONS). */
  @ManyToMany(() => Permission, (p) => p.roles)
  @JoinTable({
    name: 'role_permissions',
    joinColumn: { name: 'role_id', referencedColumnName: 'id', foreignKeyConstraintName: 'FK_role_permissions_role' },
    inverseJoinColumn: {
      name: 'permission_id',
      referencedColumnName: 'id',
      foreignKeyConstraintName: 'FK_role_permissions_permission',
    },
  })
  permissions: Relation<Permission[]>;
}
