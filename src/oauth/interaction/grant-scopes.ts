import { randomUUID } from 'node:crypto';
import type Provider from 'oidc-provider';
import type { Grant } from 'oidc-provider';
import { API_RESOURCE, API_SCOPES, SCOPE_CLAIMS } from '../oauth.constants.js';

/**
 * Adds scopes to a grant the way the provider checks them: the OpenID scopes (and
 * offline_access) as OIDC scopes, and those the API lists as scopes of its resource (a JWT
 * access token carries only the latter, oidc-provider's `getResourceScopeFiltered`).
 */
export function grantScopes(grant: Grant, scopes: Iterable<string>): void {
  const list = [...new Set(scopes)];
  const oidc = list.filter((s) => s === 'offline_access' || s in SCOPE_CLAIMS);
  const api = list.filter((s) => API_SCOPES.includes(s));
  if (oidc.length) grant.addOIDCScope(oidc.join(' '));
  if (api.length) grant.addResourceScope(API_RESOURCE, api.join(' '));
}

/**
 * A new grant of the code flow. Its id is a UUID, as the password grant's is (its session
 * row's): the adapter makes a `sessions` row with the grant's id, whose column takes 36
 * characters, where the provider's own ids are 43.
 */
export function newGrant(provider: Provider, accountId: string, clientId: string): Grant {
  return new provider.Grant({ jti: randomUUID(), accountId, clientId } as ConstructorParameters<typeof provider.Grant>[0]);
}
