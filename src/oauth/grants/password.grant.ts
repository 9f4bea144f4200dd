import { decodeJwt } from 'jose';
import { errors, type Client, type KoaContextWithOIDC, type ResourceServer } from 'oidc-provider';
import type { SignInService } from '../../auth/sign-in.service.js';
import { AppException } from '../../common/errors/app.exception.js';
import { ErrorCode } from '../../common/errors/error-codes.js';
import { localise } from '../../common/i18n/messages.js';
import type { RequestContext } from '../../common/http/request-context.js';
import { API_RESOURCE, API_SCOPES, MFA_GRANT, SCOPE_CLAIMS } from '../oauth.constants.js';
import { requestContextOf } from '../request-context.js';

/** What the grants need from the rest of the service. */
export interface GrantDeps {
  signIn: SignInService;
  resourceServerInfo(): ResourceServer;
  refreshTtl: number;
}

/** The scopes asked for, each one the client is allowed (invalid_scope otherwise). */
export function requestedScopes(client: Client, raw: unknown): Set<string> {
  const scopes = new Set(typeof raw === 'string' ? raw.split(' ').filter(Boolean) : []);
  const allowed = new Set((client.scope ?? '').split(' ').filter(Boolean));
  for (const scope of scopes) if (!allowed.has(scope)) throw new errors.InvalidScope('requested scope is not allowed', scope);
  return scopes;
}

/**
 * The sign-in service's refusals as OAuth errors (RFC 6749 §5.2: invalid_grant), with the
 * contract's words in the description and `Retry-After` on a lock.
 */
export function toOAuthError(err: unknown, ctx: KoaContextWithOIDC): unknown {
  if (!(err instanceof AppException)) return err;
  for (const [name, value] of Object.entries(err.options.headers ?? {})) ctx.set(name, value);
  const description = localise('en', err.code, { min: '', ...err.options.params });
  switch (err.code) {
    case ErrorCode.VALIDATION_FAILED:
      return new errors.InvalidRequest(err.options.details?.[0]?.message ?? description);
    default:
      // errors.InvalidGrant keeps its detail out of the answer; the contract's key belongs in it.
      return new errors.CustomOIDCProviderError('invalid_grant', `${err.code}: ${description}`);
  }
}

/**
 * Issues the tokens of a signed-in user on a new grant whose id is the sign-in's session
 * (docs/api.md §9): a JWT access token for the API (RFC 9068) and, when the client may
 * refresh, a refresh token; the answer carries seed 004's extra fields.
 */
export async function issueUserTokens(
  ctx: KoaContextWithOIDC,
  deps: GrantDeps,
  user: { id: string; username: string },
  scopes: Set<string>,
  sessionId: string,
  gty: string,
  amr: string[],
): Promise<void> {
  const { client, provider } = ctx.oidc;
  // The grant's id is its session's (oidc-provider's models take a given jti).
  const grant = new provider.Grant({ jti: sessionId, accountId: user.id, clientId: client!.clientId } as ConstructorParameters<
    typeof provider.Grant
  >[0]);
  const oidc = [...scopes].filter((s) => s === 'offline_access' || s in SCOPE_CLAIMS);
  const api = [...scopes].filter((s) => API_SCOPES.includes(s));
  if (oidc.length) grant.addOIDCScope(oidc.join(' '));
  if (api.length) grant.addResourceScope(API_RESOURCE, api.join(' '));
  await grant.save();
  ctx.oidc.entity('Grant', grant);

  const at = new provider.AccessToken({ accountId: user.id, client: client!, grantId: sessionId, gty });
  at.resourceServer = new provider.ResourceServer(API_RESOURCE, deps.resourceServerInfo());
  at.scope = grant.getResourceScopeFiltered(API_RESOURCE, api) || undefined;
  ctx.oidc.entity('AccessToken', at);
  const accessToken = await at.save();

  let refreshToken: string | undefined;
  if (client!.grantTypeAllowed('refresh_token')) {
    const now = Math.floor(Date.now() / 1000);
    const rt = new provider.RefreshToken({
      accountId: user.id,
      client: client!,
      grantId: sessionId,
      gty,
      scope: [...scopes].join(' '),
      resource: API_RESOURCE,
      rotations: 0,
      expiresWithSession: false,
      authTime: now,
      amr,
    });
    ctx.oidc.entity('RefreshToken', rt);
    refreshToken = await rt.save();
  }

  // The JWT's own values: the model does not keep them for the JWT format.
  const { iat, exp, jti, sub } = decodeJwt(accessToken);
  ctx.body = {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: at.expiration,
    ...(refreshToken ? { refresh_token: refreshToken, refresh_expires_in: deps.refreshTtl } : {}),
    scope: [...scopes].join(' '),
    // Seed 004's fields.
    user_id: user.id,
    username: user.username,
    client_id: client!.clientId,
    sub,
    iat,
    exp,
    jti,
  };
}

/** Read from the form body, or (seed 004) from the query string when the body lacks it. Never the password. */
export function grantParam(ctx: KoaContextWithOIDC, name: string): string | undefined {
  const fromBody = ctx.oidc.params?.[name];
  if (typeof fromBody === 'string' && fromBody) return fromBody;
  const fromQuery = ctx.query[name];
  return typeof fromQuery === 'string' && fromQuery ? fromQuery : undefined;
}

/**
 * The password grant (seed 004; docs/api.md §9), for the clients that allow it: the same
 * sign-in as POST /api/v1/auth/login (lockout, captcha, audit with the client_id), through
 * SignInService. Captcha answers come as captcha_id + captcha_code or as randomStr + code.
 */
export function passwordGrant(deps: GrantDeps) {
  return async function password(ctx: KoaContextWithOIDC): Promise<void> {
    const { client } = ctx.oidc;
    const username = grantParam(ctx, 'username');
    const secret = ctx.oidc.params?.password;
    if (!username || typeof secret !== 'string' || !secret) throw new errors.InvalidRequest('username and password are required');
    const scopes = requestedScopes(client!, grantParam(ctx, 'scope'));
    const rc: RequestContext = requestContextOf(ctx);
    try {
      const proved = await deps.signIn.prove(
        {
          login: username,
          password: secret,
          captchaId: grantParam(ctx, 'captcha_id') ?? grantParam(ctx, 'randomStr'),
          captchaCode: grantParam(ctx, 'captcha_code') ?? grantParam(ctx, 'code'),
        },
        rc,
        client!.clientId,
      );
      const challenge = await deps.signIn.challenge(proved, rc, client!.clientId);
      if (challenge?.enrolment_required) {
        // A role of MFA_REQUIRED_ROLES and no factor yet: enrolling needs a screen (the hosted
        // page or the API's login), which a password grant has not got.
        throw new errors.CustomOIDCProviderError(
          'invalid_grant',
          'MFA_ENROLMENT_REQUIRED: this account must set up a second factor first; sign in once through the sign-in page or POST /api/v1/auth/login',
        );
      }
      if (challenge) {
        // docs/api.md §11: 403 with the token the mfa-otp grant completes. Not a thrown error:
        // the provider's error answers carry no extra member.
        ctx.status = 403;
        ctx.set('Cache-Control', 'no-store');
        ctx.body = {
          error: 'mfa_required',
          error_description: 'A second factor is required: send mfa_token with otp or recovery_code (grant_type ' + MFA_GRANT + ')',
          mfa_token: challenge.mfa_token,
          mfa_methods: challenge.mfa_methods,
          expires_in: challenge.expires_in,
        };
        return;
      }
      const session = await deps.signIn.finish(proved, rc, { clientId: client!.clientId, kind: 'oauth' });
      await issueUserTokens(ctx, deps, proved.user, scopes, session.id, 'password', ['pwd']);
    } catch (err) {
      throw toOAuthError(err, ctx);
    }
  };
}

/**
 * The second-factor grant (docs/api.md §11) that completes a password grant answered 403
 * `mfa_required`: `mfa_token` with `otp` or `recovery_code`, by the same client (a token is
 * good only at its own door), and the `scope` wanted (as at the password grant). Wrong codes
 * count toward the account's lock, exactly as at POST /api/v1/auth/login/mfa.
 */
export function mfaOtpGrant(deps: GrantDeps) {
  return async function mfaOtp(ctx: KoaContextWithOIDC): Promise<void> {
    const { client } = ctx.oidc;
    const mfaToken = grantParam(ctx, 'mfa_token');
    const otp = ctx.oidc.params?.otp;
    const recoveryCode = ctx.oidc.params?.recovery_code;
    if (!mfaToken) throw new errors.InvalidRequest('mfa_token is required');
    const code = typeof otp === 'string' && otp ? otp : undefined;
    const recovery = typeof recoveryCode === 'string' && recoveryCode ? recoveryCode : undefined;
    if (!code === !recovery) throw new errors.InvalidRequest('send exactly one of otp and recovery_code');
    const scopes = requestedScopes(client!, grantParam(ctx, 'scope'));
    const rc: RequestContext = requestContextOf(ctx);
    try {
      const { proved } = await deps.signIn.completeChallenge({ mfaToken, code, recoveryCode: recovery }, rc, client!.clientId);
      const session = await deps.signIn.finish(proved, rc, { clientId: client!.clientId, kind: 'oauth' });
      await issueUserTokens(ctx, deps, proved.user, scopes, session.id, MFA_GRANT, code ? ['pwd', 'otp', 'mfa'] : ['pwd', 'mfa']);
    } catch (err) {
      throw toOAuthError(err, ctx);
    }
  };
}
