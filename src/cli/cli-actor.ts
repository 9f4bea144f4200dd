import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import type { ClientPrincipal } from '../authz/principal.js';
import { SYSTEM_PERMISSIONS } from '../authz/permission-catalogue.js';
import type { RequestContext } from '../common/http/request-context.js';

/** The actor the audit log names for every command of the admin CLI (`actor_id` = `cli`). */
export const CLI_ACTOR = 'cli';

/**
 * Whoever runs the CLI on the server holds the database and the secrets already: the CLI acts
 * with every permission, as SUPER_ADMIN does, and is audited as the actor `cli`. Services take
 * it like any principal (the kind `client` has no user, no session, and cannot be "yourself"
 * in the self-protection rules).
 */
export function cliPrincipal(): ClientPrincipal {
  return {
    kind: 'client',
    clientId: CLI_ACTOR,
    actorId: CLI_ACTOR,
    access: { active: true, isSuperAdmin: true, permissions: new Set(SYSTEM_PERMISSIONS.map((p) => p.code)) },
  };
}

/** The audit context of a command: no IP, `authcentre-cli (<OS user>)` as the user agent. */
export function cliContext(): RequestContext {
  let who = 'unknown';
  try {
    who = userInfo().username;
  } catch {
    /* no passwd entry (some containers) */
  }
  return { ip: null, userAgent: `authcentre-cli (${who})`.slice(0, 512), locale: 'en', requestId: randomUUID() };
}
