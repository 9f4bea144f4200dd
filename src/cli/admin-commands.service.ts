import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { SystemRole } from '../authz/permission-catalogue.js';
import { CreateClientDto } from '../clients/dto/client.dto.js';
import { ClientsService } from '../clients/clients.service.js';
import { createValidationPipe } from '../common/http/validation.pipe.js';
import { LoginAttemptsService } from '../credentials/login-attempts.service.js';
import { KeysService } from '../keys/keys.service.js';
import type { SigningAlg } from '../keys/signing-key.entity.js';
import { RolesService } from '../roles/roles.service.js';
import { CreateUserDto } from '../users/dto/admin-user.dto.js';
import type { User } from '../users/user.entity.js';
import { UsersAdminService } from '../users/users-admin.service.js';
import { UsersService } from '../users/users.service.js';
import { cliContext, cliPrincipal, CLI_ACTOR } from './cli-actor.js';

/** 18 random bytes: 24 characters of base64url, far past any password policy. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

export interface CreateClientInput {
  name: string;
  type: string;
  grantTypes: string[];
  clientId?: string;
  redirectUris?: string[];
  scopes?: string[];
  roles?: string[];
  firstParty?: boolean;
}

/**
 * What the admin CLI does (docs/operations.md), through the same services as the HTTP API, so
 * the same rules hold (password policy, protected resources, sessions revoked with a password
 * reset) and every change is audited, here with the actor `cli`. Input is validated with the
 * API's own DTOs and pipe. A secret this returns is the caller's to print once; nothing here
 * logs it.
 */
@Injectable()
export class AdminCommands {
  private readonly pipe = createValidationPipe();

  constructor(
    private readonly users: UsersService,
    private readonly usersAdmin: UsersAdminService,
    private readonly roles: RolesService,
    private readonly attempts: LoginAttemptsService,
    private readonly keys: KeysService,
    private readonly clients: ClientsService,
    private readonly audit: AuditService,
  ) {}

  private validate<T extends object>(metatype: new () => T, value: object): Promise<T> {
    return this.pipe.transform(value, { type: 'body', metatype }) as Promise<T>;
  }

  private async userOrFail(login: string): Promise<User> {
    const user = await this.users.findForLogin(login);
    if (!user) throw new CliError(`no account has the username, email or phone "${login}"`);
    return user;
  }

  /** A new active SUPER_ADMIN. */
  async createAdmin(input: { username: string; email?: string; password: string }): Promise<{ id: string; username: string }> {
    const roleIds = await this.roles.idsByCode([SystemRole.SUPER_ADMIN]);
    const dto = await this.validate(CreateUserDto, {
      username: input.username,
      password: input.password,
      ...(input.email ? { email: input.email } : {}),
      role_ids: roleIds,
    });
    const user = await this.usersAdmin.create(cliPrincipal(), dto, cliContext());
    return { id: user.id, username: user.username };
  }

  /** Sets the password of the account `login` names (username, email or phone); every session of it ends. */
  async resetPassword(login: string, password: string): Promise<{ id: string; username: string }> {
    const user = await this.userOrFail(login);
    await this.usersAdmin.setPassword(cliPrincipal(), user.id, password, cliContext());
    return { id: user.id, username: user.username };
  }

  /**
   * Clears the failure counts and lock of a login name: of every name of the account it
   * denotes, or, for a name that denotes none, of the name itself.
   */
  async unlock(login: string): Promise<{ target: string; account: boolean }> {
    const user = await this.users.findForLogin(login);
    if (user) {
      await this.usersAdmin.unlock(cliPrincipal(), user.id, cliContext());
      return { target: user.username, account: true };
    }
    const cleared = await this.attempts.clear([this.attempts.keyOf({ name: login })]);
    await this.audit.record(
      { action: 'user.unlock', actorId: CLI_ACTOR, targetType: 'login', targetId: login, detail: { cleared } },
      cliContext(),
    );
    return { target: login, account: false };
  }

  /** Ends every session of the account: its refresh tokens are refused from now on, its access tokens at their next request. */
  async endSessions(login: string): Promise<{ id: string; username: string }> {
    const user = await this.userOrFail(login);
    await this.usersAdmin.revokeSessions(cliPrincipal(), user.id, cliContext());
    return { id: user.id, username: user.username };
  }

  /**
   * A new key for each algorithm, published at once; activated too unless `activate` is
   * false (then `authcentre` or POST /signing-keys/:kid/activate does it later). The keys it
   * replaces are retired, still published until the tokens they signed have expired.
   */
  async rotateKeys(algs: SigningAlg[], activate: boolean): Promise<{ kid: string; alg: SigningAlg; status: string }[]> {
    const me = cliPrincipal();
    const done: { kid: string; alg: SigningAlg; status: string }[] = [];
    for (const alg of algs) {
      const created = await this.keys.create(me, alg, cliContext());
      const key = activate ? await this.keys.activate(me, created.kid, cliContext()) : created;
      done.push({ kid: key.kid, alg: key.alg, status: key.status });
    }
    return done;
  }

  /** Registers an OAuth client; a confidential one comes back with its secret, to be shown once. */
  async createClient(input: CreateClientInput): Promise<{ id: string; client_id: string; client_secret?: string }> {
    const roleIds = input.roles?.length ? await this.roleIdsOrFail(input.roles) : undefined;
    const dto = await this.validate(CreateClientDto, {
      name: input.name,
      type: input.type,
      grant_types: input.grantTypes,
      ...(input.clientId ? { client_id: input.clientId } : {}),
      ...(input.redirectUris?.length ? { redirect_uris: input.redirectUris } : {}),
      ...(input.scopes?.length ? { scopes: input.scopes } : {}),
      ...(roleIds ? { role_ids: roleIds } : {}),
      ...(input.firstParty ? { first_party: true } : {}),
    });
    const created = await this.clients.create(cliPrincipal(), dto, cliContext());
    return {
      id: created.id,
      client_id: created.client_id,
      ...('client_secret' in created ? { client_secret: created.client_secret } : {}),
    };
  }

  private async roleIdsOrFail(codes: string[]): Promise<number[]> {
    const ids = await this.roles.idsByCode(codes);
    if (ids.length !== new Set(codes).size) throw new CliError(`unknown role code among: ${codes.join(', ')}`);
    return ids;
  }
}

/** A failure the CLI reports as it is (exit code 1, the message on stderr). */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}
