import 'reflect-metadata';
import { ConsoleLogger, Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Command, CommanderError, Option } from 'commander';
import { AuditLog } from './audit/audit-log.entity.js';
import { AuditService } from './audit/audit.service.js';
import { cliContext, CLI_ACTOR } from './cli/cli-actor.js';
import { AdminCommands, CliError, generatePassword } from './cli/admin-commands.service.js';
import { CliModule } from './cli/cli.module.js';
import { AppException } from './common/errors/app.exception.js';
import { ErrorCode } from './common/errors/error-codes.js';
import { toAppException } from './common/errors/map-error.js';
import { localise } from './common/i18n/messages.js';
import { ConfigError, type AppConfig } from './config/app.config.js';
import { AppConfigModule } from './config/config.module.js';
import { configFromEnvironment } from './config/environment.js';
import { createDataSource } from './database/data-source.js';
import { DatabaseModule, migrateSchema } from './database/database.module.js';
import type { SigningAlg } from './keys/signing-key.entity.js';

/**
 * The admin CLI (`npx authcentre --help`; docs/operations.md): a Nest standalone application
 * context on the same configuration, database and services as the server, no HTTP. Each
 * command prints its result on stdout (`key: value` lines, or JSON with `--json`) and exits
 * 0; a failure prints one line on stderr and exits 1 (a stack trace only with `--debug`).
 * A generated password or client secret is printed once, on stdout, and never logged.
 */

/** The configuration, database and the CLI's services. */
@Module({})
class CliRootModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: CliRootModule, imports: [AppConfigModule.forRoot(config), DatabaseModule.forRoot(config), CliModule] };
  }
}

interface GlobalOptions {
  json?: boolean;
  debug?: boolean;
}

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** The whole of standard input (for --password-stdin). */
  readStdin: () => Promise<string>;
}

const SHOWN_ONCE = 'Shown once: store it now. It is kept nowhere in clear text and cannot be shown again.';
const ALGS: SigningAlg[] = ['ES256', 'RS256', 'EdDSA'];

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

/** Runs `fn` with the services, then closes the context (database, Redis) whatever happens. */
async function withServices<T>(opts: GlobalOptions, fn: (commands: AdminCommands) => Promise<T>): Promise<T> {
  const config = configFromEnvironment();
  const app = await NestFactory.createApplicationContext(CliRootModule.forRoot(config), {
    // Without --debug nothing is logged (the seed of a fresh database could log a generated
    // password); errors reach the user through main's one-line message.
    logger: opts.debug ? new ConsoleLogger({ logLevels: ['debug', 'log', 'warn', 'error', 'fatal'] }) : false,
    abortOnError: false,
  });
  try {
    return await fn(app.get(AdminCommands));
  } finally {
    await app.close();
  }
}

function printer(io: Io, opts: GlobalOptions) {
  return (result: object, secretNote = false) => {
    if (opts.json) io.out(`${JSON.stringify(result)}\n`);
    else for (const [key, value] of Object.entries(result)) io.out(`${key}: ${Array.isArray(value) ? value.join(' ') : String(value)}\n`);
    if (secretNote) io.err(`${SHOWN_ONCE}\n`);
  };
}

/** The password a command sets: the first line of stdin with --password-stdin, else a generated one (then printed once). */
async function passwordFrom(io: Io, fromStdin: boolean | undefined): Promise<{ password: string; generated: boolean }> {
  if (!fromStdin) return { password: generatePassword(), generated: true };
  const password = (await io.readStdin()).split(/\r?\n/, 1)[0];
  if (!password) throw new CliError('--password-stdin: standard input held no password');
  return { password, generated: false };
}

function buildProgram(io: Io): Command {
  const program = new Command('authcentre')
    .description(
      'AuthCentre. With no command (or `serve`) it starts the server; the other commands administer the database ' +
        'the server uses, configured by the same environment and .env (DB_TYPE, DB_PATH or DATABASE_URL, DATA_DIR, ' +
        'ENCRYPTION_KEY, ...). Every change is written to the audit log with the actor `cli`.',
    )
    .addHelpText(
      'after',
      '\nExit codes: 0 done, 1 failed (the reason on stderr; a stack trace only with --debug).\n' +
        'Generated passwords and client secrets are printed once, on stdout, and never logged.\n' +
        'More: docs/operations.md',
    )
    .option('--json', 'print results as one JSON object')
    .option('--debug', 'log what the server logs, and print stack traces on failure')
    .showHelpAfterError('(see authcentre --help)')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride();
  const globals = (cmd: Command) => cmd.optsWithGlobals<GlobalOptions>();

  program
    .command('serve')
    .description('start the server (the default when no command is given)')
    .action(async () => {
      await import(new URL('../../bin/authcentre.cjs', import.meta.url).href);
      await new Promise(() => undefined);
    });

  program
    .command('create-admin')
    .description('create an active SUPER_ADMIN; prints the generated password once unless --password-stdin')
    .argument('<username>', '3-32 characters of A-Z a-z 0-9 _ . -')
    .option('--email <email>', 'their email address')
    .option('--password-stdin', 'read the password from the first line of standard input instead of generating one')
    .addHelpText('after', '\nExample:\n  authcentre create-admin alice --email alice@example.com')
    .action(async (username: string, o: { email?: string; passwordStdin?: boolean }, cmd: Command) => {
      const opts = globals(cmd);
      const { password, generated } = await passwordFrom(io, o.passwordStdin);
      const user = await withServices(opts, (c) => c.createAdmin({ username, email: o.email, password }));
      printer(io, opts)({ ...user, ...(generated ? { password } : {}) }, generated);
    });

  program
    .command('reset-password')
    .description('set the password of an account (username, email or phone) and end all its sessions')
    .argument('<login>', 'the username, email or phone of the account')
    .option('--password-stdin', 'read the new password from the first line of standard input instead of generating one')
    .addHelpText(
      'after',
      '\nExamples:\n  authcentre reset-password alice\n  printf "%s\\n" "$NEW_PASSWORD" | authcentre reset-password alice --password-stdin',
    )
    .action(async (login: string, o: { passwordStdin?: boolean }, cmd: Command) => {
      const opts = globals(cmd);
      const { password, generated } = await passwordFrom(io, o.passwordStdin);
      const user = await withServices(opts, (c) => c.resetPassword(login, password));
      printer(io, opts)({ ...user, sessions: 'ended', ...(generated ? { password } : {}) }, generated);
    });

  program
    .command('unlock')
    .description('clear the failed-login count and lock of a login name (every name of its account)')
    .argument('<login>', 'a username, email or phone, or a name that denotes no account')
    .action(async (login: string, _o: object, cmd: Command) => {
      const opts = globals(cmd);
      const result = await withServices(opts, (c) => c.unlock(login));
      printer(io, opts)({ unlocked: result.target, account: result.account });
    });

  program
    .command('end-sessions')
    .description('end every session of an account: its refresh tokens are refused, its access tokens at their next request')
    .argument('<login>', 'the username, email or phone of the account')
    .action(async (login: string, _o: object, cmd: Command) => {
      const opts = globals(cmd);
      const user = await withServices(opts, (c) => c.endSessions(login));
      printer(io, opts)({ ...user, sessions: 'ended' });
    });

  program
    .command('rotate-keys')
    .description('create a new signing key per algorithm and activate it; the old one is retired (still published until its tokens expire)')
    .addOption(new Option('--alg <alg...>', 'the algorithms to rotate').choices(ALGS).default(['ES256', 'RS256']))
    .option('--no-activate', 'only publish the new keys (status next); activate them later')
    .action(async (o: { alg: SigningAlg[]; activate: boolean }, cmd: Command) => {
      const opts = globals(cmd);
      const keys = await withServices(opts, (c) => c.rotateKeys([...new Set(o.alg)], o.activate));
      if (opts.json) io.out(`${JSON.stringify({ keys })}\n`);
      else for (const k of keys) io.out(`${k.alg}: ${k.kid} (${k.status})\n`);
    });

  program
    .command('create-client')
    .description("register an OAuth client; prints a confidential client's secret once")
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--grant <grant...>', 'grant types: authorization_code refresh_token client_credentials password')
    .addOption(new Option('--type <type>', 'client type').choices(['confidential', 'public']).default('confidential'))
    .option('--client-id <id>', 'the client_id (generated when absent)')
    .option('--redirect-uri <uri...>', 'redirect URIs (authorization_code)')
    .option('--scope <scope...>', 'the scopes it may ask for (default: all)')
    .option('--role <code...>', 'role codes of its service account (client_credentials)')
    .option('--first-party', 'skip the consent page')
    .addHelpText('after', '\nExample:\n  authcentre create-client --name "Billing job" --grant client_credentials --role ADMIN')
    .action(
      async (
        o: {
          name: string;
          grant: string[];
          type: string;
          clientId?: string;
          redirectUri?: string[];
          scope?: string[];
          role?: string[];
          firstParty?: boolean;
        },
        cmd: Command,
      ) => {
        const opts = globals(cmd);
        const created = await withServices(opts, (c) =>
          c.createClient({
            name: o.name,
            type: o.type,
            grantTypes: o.grant,
            clientId: o.clientId,
            redirectUris: o.redirectUri,
            scopes: o.scope,
            roles: o.role,
            firstParty: o.firstParty,
          }),
        );
        printer(io, opts)(created, created.client_secret !== undefined);
      },
    );

  program
    .command('migrate')
    .description('apply pending database migrations (the server also does at start)')
    .action(async (_o: object, cmd: Command) => {
      const opts = globals(cmd);
      const config = configFromEnvironment();
      const dataSource = await createDataSource(config).initialize();
      try {
        const applied = await migrateSchema(dataSource, config);
        await new AuditService(dataSource.getRepository(AuditLog)).record(
          { action: 'schema.migrate', actorId: CLI_ACTOR, detail: { applied } },
          cliContext(),
        );
        if (opts.json) io.out(`${JSON.stringify({ applied })}\n`);
        else io.out(applied.length ? `applied: ${applied.join(' ')}\n` : 'applied: none (the schema is up to date)\n');
      } finally {
        await dataSource.destroy();
      }
    });

  return program;
}

/** One line for the user: what went wrong, never a stack trace, SQL or secret. */
function describeError(err: unknown): string {
  if (err instanceof CliError || err instanceof ConfigError) return err.message;
  const { exception, unexpected } = err instanceof AppException ? { exception: err, unexpected: false } : toAppException(err);
  if (unexpected) return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  const details = (exception.options.details ?? []).map((d) => `\n  ${d.field}: ${d.message}`).join('');
  // An unreachable database or Redis: the driver's reason is what an operator needs.
  const cause = exception !== err && exception.code === ErrorCode.SERVICE_UNAVAILABLE && err instanceof Error ? ` (${err.message})` : '';
  return `${exception.code}: ${localise('en', exception.code, exception.options.params)}${cause}${details}`;
}

/** Runs the CLI on `argv` (as process.argv) and returns the exit code. */
export async function main(
  argv: string[],
  io: Io = {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    readStdin: () => readAll(process.stdin),
  },
): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    // Commander has printed its own message (or the help, or the version).
    if (err instanceof CommanderError) return err.exitCode;
    io.err(`authcentre: ${describeError(err)}\n`);
    if (argv.includes('--debug') && err instanceof Error && err.stack) io.err(`${err.stack}\n`);
    return 1;
  }
}
