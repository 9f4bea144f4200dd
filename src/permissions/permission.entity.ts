import { Column, Entity, Index, ManyToMany, type Relation } from 'typeorm';
import { CatalogueEntry } from '../common/catalogue/catalogue-entry.js';

@Entity({ name: 'permissions' })
export class Permission extends CatalogueEntry {
  @Index('UQ_permissions_code', { unique: true })
  @Column({ type: 'varchar', length: 128 })
  code: string;

  /**
   * The roles carrying it: the inverse side of `Role.permissions` (roles own the
   * `role_permissions` junction), named by string so this layer does not import roles.
   * Only for queries (is it assigned?); never loaded.
   */
  @ManyToMany('Role', 'permissions')
  roles?: Relation<CatalogueEntry[]>;
}
