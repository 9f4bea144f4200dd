import type { MeDto } from '../users/dto/user.dto.js';
import { SCOPE_CLAIMS } from './oauth.constants.js';

/** Every claim of a user, by the names of docs/api.md §9 (the provider and userinfo mask them by scope). */
export function accountClaims(me: MeDto): Record<string, unknown> {
  return {
    sub: me.id,
    preferred_username: me.username,
    name: me.nickname ?? undefined,
    picture: me.avatar ?? undefined,
    updated_at: Math.floor(new Date(me.updated_at).getTime() / 1000),
    email: me.email ?? undefined,
    email_verified: me.email ? me.email_verified : undefined,
    phone_number: me.phone ?? undefined,
    roles: me.roles.map((r) => r.code),
    permissions: me.permissions,
  };
}

/** The claims `scopes` give: `sub` always, then each scope's claims that the user has. */
export function claimsForScopes(me: MeDto, scopes: Iterable<string>): Record<string, unknown> {
  const all = accountClaims(me);
  const out: Record<string, unknown> = { sub: me.id };
  for (const scope of scopes) {
    for (const claim of SCOPE_CLAIMS[scope] ?? [])
      if (all[claim] !== undefined && claim !== 'auth_time' && claim !== 'amr') out[claim] = all[claim];
  }
  return out;
}
