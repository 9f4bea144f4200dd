import { Inject, Injectable } from '@nestjs/common';
import type { StateCache } from '../common/cache/state-cache.js';
import type { PrincipalKind } from './principal.js';

/** Injection token of the access cache (memory, or Redis with REDIS_URL), provided by AuthzModule. */
export const ACCESS_CACHE = Symbol('ACCESS_CACHE');

/** What a request needs to know about its principal, resolved once and cached. */
export interface Access {
  active: boolean;
  isSuperAdmin: boolean;
  /** The sorted, de-duplicated permission codes (every code that exists for SUPER_ADMIN). */
  permissions: ReadonlySet<string>;
  /** The id the audit log names as the actor, when it is not the principal's own id (a client's row id). */
  actorId?: string;
}

/** Where the access of one kind of principal comes from: users register theirs, clients theirs. */
export interface AccessSource {
  /** The principal's access, or null when it does not exist (or is deleted). */
  load(id: string): Promise<Access | null>;
}

/** Bounds staleness should an invalidation ever be missed; changes invalidate at once. */
const ACCESS_TTL_SECONDS = 300;

/**
 * The permission cache (docs/api.md §6: permissions are not in the token). This layer knows
 * no feature: the features that own principals register an `AccessSource` for their kind
 * when they start (users for `user`, clients for `client`), and invalidate here after
 * every change, so a change takes effect at the affected principals' next request, on
 * every instance.
 */
@Injectable()
export class AccessService {
  private readonly sources = new Map<PrincipalKind, AccessSource>();

  constructor(@Inject(ACCESS_CACHE) private readonly cache: StateCache<Access | null>) {}

  register(kind: PrincipalKind, source: AccessSource): void {
    this.sources.set(kind, source);
  }

  get(kind: PrincipalKind, id: string): Promise<Access | null> {
    const source = this.sources.get(kind);
    if (!source) return Promise.resolve(null);
    return this.cache.getOrLoad(`${kind}:${id}`, () => source.load(id), ACCESS_TTL_SECONDS);
  }

  /** After a change to this principal (status, roles, deletion, profile). */
  invalidate(kind: PrincipalKind, id: string): Promise<void> {
    return this.cache.invalidate(`${kind}:${id}`);
  }

  /**
   * After a change of display data only (a login's `last_login_at`): this instance gets a
   * fresh Access object (so what is derived from it, such as the cached profile, is
   * derived again) and the other instances drop theirs; no check can change with it.
   * `carry`, called with the old and the new object when this instance held one, may carry
   * derived data over to the new one instead.
   */
  refresh(kind: PrincipalKind, id: string, carry?: (previous: Access, next: Access) => void): Promise<void> {
    return this.cache.touch(`${kind}:${id}`, (access) => {
      if (!access) return access;
      const next = { ...access };
      carry?.(access, next);
      return next;
    });
  }

  /** After a change to any role, permission or role–permission assignment. */
  invalidateAll(): Promise<void> {
    return this.cache.invalidateAll();
  }
}
