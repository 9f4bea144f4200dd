/** Where the authorization server is mounted; the OpenID issuer is PUBLIC_URL + this. */
export const OAUTH_MOUNT = '/oauth2';

/**
 * The resource indicator of this service's API. oidc-provider needs an absolute URI here;
 * the tokens' `aud` is JWT_AUDIENCE (docs/api.md §6), set by the resource server info.
 */
export const API_RESOURCE = 'urn:authcentre:api';

/** The second-factor grant that completes a password grant (docs/api.md §11). */
export const MFA_GRANT = 'urn:authcentre:params:oauth:grant-type:mfa-otp';

/** The claims of each scope (docs/api.md §9). `openid` also carries auth_time and amr in ID tokens. */
export const SCOPE_CLAIMS: Record<string, string[]> = {
  openid: ['sub', 'auth_time', 'amr'],
  profile: ['preferred_username', 'name', 'picture', 'updated_at'],
  email: ['email', 'email_verified'],
  phone: ['phone_number'],
  roles: ['roles', 'permissions'],
};

/** The scopes an API access token may carry (every scope but offline_access, which is about refresh). */
export const API_SCOPES = ['openid', 'profile', 'email', 'phone', 'roles'];

/** The password grant's parameters, seed 004's included (`randomStr` + `code` = captcha id + answer). */
export const PASSWORD_GRANT_PARAMS = ['username', 'password', 'scope', 'captcha_id', 'captcha_code', 'randomStr', 'code'];

/** The second-factor grant's parameters. */
export const MFA_GRANT_PARAMS = ['mfa_token', 'otp', 'recovery_code', 'scope'];

/** What seed 004's clients send in the query string; read from there when the form body lacks them. */
export const SEED004_QUERY_PARAMS = ['grant_type', 'username', 'scope', 'randomStr', 'code'];

/** The provider's models kept in the database (long-lived); the rest live in the shared state. */
export const LONG_LIVED_MODELS = new Set(['Grant', 'RefreshToken', 'Session']);
