import type { EntityManager } from 'typeorm';

/**
 * A many-to-many junction table, named by the feature that owns it
 * (users: `user_roles(user_id, role_id)`; roles: `role_permissions(role_id, permission_id)`).
 */
export interface Junction {
  table: string;
  owner: string;
  item: string;
}

/**
 * Makes the owner's set equal `next`, given `current` as read in the same transaction:
 * deletes only the rows that go and inserts only the rows that are new, with
 * INSERT IGNORE / ON CONFLICT DO NOTHING. So two identical requests at once both
 * succeed and leave one row each, instead of one failing on the primary key (as a
 * delete-all-then-insert would) — and unchanged rows are never touched or locked.
 */
export async function replaceLinks<K extends string | number>(
  em: EntityManager,
  junction: Junction,
  ownerId: K,
  current: number[],
  next: number[],
): Promise<{ added: number[]; removed: number[] }> {
  const added = next.filter((id) => !current.includes(id)).sort((a, b) => a - b);
  const removed = current.filter((id) => !next.includes(id)).sort((a, b) => a - b);
  if (removed.length) {
    await em
      .createQueryBuilder()
      .delete()
      .from(junction.table)
      .where(`${junction.owner} = :owner AND ${junction.item} IN (:...removed)`, { owner: ownerId, removed })
      .execute();
  }
  if (added.length) {
    await em
      .createQueryBuilder()
      .insert()
      .into(junction.table)
      .values(added.map((id) => ({ [junction.owner]: ownerId, [junction.item]: id })))
      .orIgnore()
      .execute();
  }
  return { added, removed };
}
