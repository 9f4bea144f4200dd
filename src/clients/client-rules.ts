import { AppException, detail, type ErrorDetail } from '../common/errors/app.exception.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import type { ClientType } from './client.entity.js';
import type { ClientGrant } from './dto/client.dto.js';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * A redirect URI the server will send codes to: absolute, no fragment, no credentials;
 * `http` only on a loopback host (RFC 8252 §7.3), `https` otherwise (docs/api.md §9). The
 * problem in words, or null.
 */
export function redirectUriProblem(uri: string): string | null {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'is not an absolute URL';
  }
  if (url.hash || uri.includes('#')) return 'must not have a fragment';
  if (url.username || url.password) return 'must not carry credentials';
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:') return LOOPBACK.has(url.hostname) ? null : 'must use https (http only for loopback hosts)';
  return 'must be an http(s) URL';
}

interface ClientShape {
  type: ClientType;
  grantTypes: ClientGrant[];
  redirectUris: string[];
  postLogoutRedirectUris: string[];
}

/**
 * The protocol rules of a client's registration, checked on create and on every change:
 * `password` and `client_credentials` only for confidential clients; the code flow needs a
 * redirect URI; `refresh_token` needs a grant that issues refresh tokens; every URI valid.
 * 400 VALIDATION_FAILED naming each broken field.
 */
export function checkClientShape(shape: ClientShape): Omit<ClientShape, 'type'> {
  const details: ErrorDetail[] = [];
  const grants = new Set(shape.grantTypes);
  if (shape.type === 'public') {
    for (const grant of ['password', 'client_credentials'] as const) {
      if (grants.has(grant)) details.push(detail('grant_types', 'conflict', { reason: `${grant} is for confidential clients only` }));
    }
  }
  if (!grants.size) details.push(detail('grant_types', 'required', undefined, 'grant_types must name at least one grant'));
  if (grants.has('authorization_code') && !shape.redirectUris.length) {
    details.push(detail('redirect_uris', 'required', undefined, 'authorization_code needs at least one redirect URI'));
  }
  if (grants.has('refresh_token') && !grants.has('authorization_code') && !grants.has('password')) {
    details.push(detail('grant_types', 'conflict', { reason: 'refresh_token needs authorization_code or password' }));
  }
  for (const [field, uris] of [
    ['redirect_uris', shape.redirectUris],
    ['post_logout_redirect_uris', shape.postLogoutRedirectUris],
  ] as const) {
    for (const uri of uris) {
      const problem = redirectUriProblem(uri);
      if (problem) details.push(detail(field, 'invalid_format', { format: 'url' }, `${uri.slice(0, 200)} ${problem}`));
    }
  }
  if (details.length) throw new AppException(ErrorCode.VALIDATION_FAILED, { details });
  return { grantTypes: [...grants], redirectUris: shape.redirectUris, postLogoutRedirectUris: shape.postLogoutRedirectUris };
}
