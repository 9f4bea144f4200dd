import { randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from '@nestjs/common';
import { In, type DataSource, type EntityManager } from 'typeorm';
import type { AppConfig } from '../../config/app.config.js';
import { PasswordHasher } from '../../credentials/password-hasher.js';
import { Permission } from '../../permissions/permission.entity.js';
import { SYSTEM_PERMISSIONS, SYSTEM_ROLES, SystemRole, type PermCode } from '../../authz/permission-catalogue.js';
import { Sealer } from '../../common/crypto/sealer.js';
import { createKeyMaterial } from '../../keys/key-material.js';
import { SigningKey, type SigningAlg } from '../../keys/signing-key.entity.js';
import { Role } from '../../roles/role.entity.js';
import { User } from '../../users/user.entity.js';
import { isDuplicateKey } from '../../common/errors/map-error.js';
import { runTransaction } from '../../common/database/transaction.js';

export class SeedError extends Error {}

/** What the seed did that the person starting the service should hear about (main.ts's banner). */
export class SeedReport {
  /** The first SUPER_ADMIN, when this start created it; its password only when generated (shown once). */
  createdAdmin?: { username: string; generatedPassword?: string };
  /** ADMIN_PASSWORD was set, but a SUPER_ADMIN exists already: the setting changed nothing. */
  adminPasswordIgnored?: boolean;
}

/**
 * System data of docs/api.md §5: permissions, the three system roles, and one SUPER_ADMIN
 * user. Idempotent: it only adds what is missing, so it runs at every start, and two
 * instances starting at once settle on one result (a lost race is retried).
 */
export async function seed(dataSource: DataSource, config: AppConfig, logger: Logger): Promise<SeedReport> {
  for (let attempt = 1; ; attempt++) {
    try {
      const report = new SeedReport();
      await runTransaction(dataSource, (em) => seedOnce(em, config, logger, report), 1);
      return report;
    } catch (err) {
      if (attempt < 3 && isDuplicateKey(err)) continue;
      throw err;
    }
  }
}

async function seedOnce(em: EntityManager, config: AppConfig, logger: Logger, report: SeedReport): Promise<void> {
  const permRepo = em.getRepository(Permission);
  const existingPerms = await permRepo.find({ where: { code: In(SYSTEM_PERMISSIONS.map((p) => p.code)) } });
  const missingPerms = SYSTEM_PERMISSIONS.filter((p) => !existingPerms.some((e) => e.code === p.code));
  if (missingPerms.length) {
    await permRepo.insert(missingPerms.map((p) => ({ ...p, isSystem: true })));
  }
  const systemPerms = await permRepo.find({ where: { code: In(SYSTEM_PERMISSIONS.map((p) => p.code)) } });

  const roleRepo = em.getRepository(Role);
  for (const def of SYSTEM_ROLES) {
    let role = await roleRepo.findOne({ where: { code: def.code }, relations: { permissions: true } });
    const fresh = !role;
    if (!role) {
      await roleRepo.insert({ code: def.code, name: def.name, description: def.description, isSystem: true });
      role = await roleRepo.findOneOrFail({ where: { code: def.code }, relations: { permissions: true } });
    }
    // A new role gets its permissions; an existing one gets the system permissions added in a
    // later release that it lists (an administrator's own changes to it are left alone).
    const wanted = systemPerms.filter(
      (p) => def.permissions.includes(p.code as PermCode) && (fresh || missingPerms.some((m) => m.code === p.code)),
    );
    const toAdd = wanted.filter((p) => !role.permissions.some((have) => have.id === p.id));
    if (toAdd.length)
      await em
        .createQueryBuilder()
        .relation(Role, 'permissions')
        .of(role)
        .add(toAdd.map((p) => p.id));
  }

  await seedSigningKeys(em, config, logger);

  const superRole = await roleRepo.findOneByOrFail({ code: SystemRole.SUPER_ADMIN });
  const superCount = await em
    .getRepository(User)
    .createQueryBuilder('u')
    .innerJoin('u.roles', 'r', 'r.id = :rid', { rid: superRole.id })
    .getCount();
  if (superCount > 0) {
    if (config.admin.password) {
      report.adminPasswordIgnored = true;
      logger.warn(
        'ADMIN_PASSWORD is ignored: it only sets the password of the first SUPER_ADMIN, and one exists already. ' +
          'To set a password now: npx authcentre reset-password <username>',
      );
    }
    return;
  }

  let password = config.admin.password;
  if (!password) {
    if (config.isProduction) {
      throw new SeedError('ADMIN_PASSWORD is required in production to create the first SUPER_ADMIN user on a fresh database.');
    }
    password = randomBytes(12).toString('base64url');
    report.createdAdmin = { username: config.admin.username, generatedPassword: password };
  }
  const username = config.admin.username;
  const user = em.getRepository(User).create({
    id: randomUUID(),
    username,
    usernameKey: username.toLowerCase(),
    email: config.admin.email ?? null,
    emailKey: config.admin.email ?? null,
    // Once, at first start: a one-slot hasher of its own rather than the request pool.
    passwordHash: await new PasswordHasher(1).hash(password),
    status: 'active',
    emailVerified: Boolean(config.admin.email),
  });
  await em.getRepository(User).insert(user);
  await em.createQueryBuilder().relation(User, 'roles').of(user.id).add(superRole.id);
  report.createdAdmin ??= { username };
  logger.log(`Created the SUPER_ADMIN user "${username}"`);
}

/** At first start (and whenever an algorithm has no active key) one ES256 and one RS256 key are created and activated (docs/api.md §8). */
async function seedSigningKeys(em: EntityManager, config: AppConfig, logger: Logger): Promise<void> {
  const sealer = new Sealer(config.encryptionKey!);
  for (const alg of ['ES256', 'RS256'] as SigningAlg[]) {
    if (await em.getRepository(SigningKey).existsBy({ alg, status: 'active' })) continue;
    const material = await createKeyMaterial(alg, sealer);
    await em.getRepository(SigningKey).insert({ ...material, alg, status: 'active', activatedAt: new Date(), retiredAt: null });
    logger.log(`Created the ${alg} signing key ${material.kid}`);
  }
}
