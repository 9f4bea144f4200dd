import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository, type EntityManager } from 'typeorm';
import type { Principal } from '../authz/principal.js';
import { AuditService } from '../audit/audit.service.js';
import { Sealer } from '../common/crypto/sealer.js';
import { runTransaction, supportsRowLocks } from '../common/database/transaction.js';
import { AppException } from '../common/errors/app.exception.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import type { RequestContext } from '../common/http/request-context.js';
import { APP_CONFIG, type AppConfig } from '../config/app.config.js';
import { toSigningKeyDto, type SigningKeyDto } from './dto/signing-key.dto.js';
import { createKeyMaterial } from './key-material.js';
import { KeyStore } from './key-store.js';
import { SigningKey, type SigningAlg } from './signing-key.entity.js';

/**
 * Rotation of signing keys (docs/api.md §8): `next` → `active` → `retired` → deleted, never
 * failing a live token. A new key is published before it signs; activating it retires the
 * previous active key of its algorithm, which stays published until every token it signed
 * has expired. Every change reloads this instance's KeyStore at once; the others see it at
 * their next poll.
 */
@Injectable()
export class KeysService {
  private readonly sealer: Sealer;

  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(SigningKey) private readonly keys: Repository<SigningKey>,
    private readonly store: KeyStore,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.sealer = new Sealer(config.encryptionKey!);
  }

  async list(): Promise<SigningKeyDto[]> {
    return (await this.keys.find({ order: { createdAt: 'ASC' } })).map(toSigningKeyDto);
  }

  /** A new key in status `next`: published in the JWKS, not yet signing. */
  async create(me: Principal, alg: SigningAlg, ctx: RequestContext): Promise<SigningKeyDto> {
    const material = await createKeyMaterial(alg, this.sealer);
    const row = await runTransaction(this.dataSource, async (em) => {
      await em.getRepository(SigningKey).insert({ ...material, alg, status: 'next', activatedAt: null, retiredAt: null });
      await this.audit.record(
        { action: 'key.create', actorId: me.actorId, targetType: 'key', targetId: material.kid, detail: { alg } },
        ctx,
        em,
      );
      return em.getRepository(SigningKey).findOneByOrFail({ kid: material.kid });
    });
    await this.store.reload();
    return toSigningKeyDto(row);
  }

  /** It signs from now on; the active key of its algorithm, if any, becomes `retired`. */
  async activate(me: Principal, kid: string, ctx: RequestContext): Promise<SigningKeyDto> {
    const row = await runTransaction(this.dataSource, async (em) => {
      const key = await this.findOrFail(em, kid, true);
      if (key.status === 'active') return key;
      if (key.status === 'retired') throw new AppException(ErrorCode.PROTECTED_RESOURCE);
      const now = new Date();
      const previous = await em.getRepository(SigningKey).findOneBy({ alg: key.alg, status: 'active' });
      if (previous) await em.getRepository(SigningKey).update({ kid: previous.kid }, { status: 'retired', retiredAt: now });
      await em.getRepository(SigningKey).update({ kid }, { status: 'active', activatedAt: now });
      await this.audit.record(
        {
          action: 'key.activate',
          actorId: me.actorId,
          targetType: 'key',
          targetId: kid,
          detail: { alg: key.alg, retired: previous?.kid ?? null },
        },
        ctx,
        em,
      );
      return em.getRepository(SigningKey).findOneByOrFail({ kid });
    });
    await this.store.reload();
    return toSigningKeyDto(row);
  }

  /**
   * A `next` key, or a `retired` key past its last token's expiry, goes; any other answers
   * 409 PROTECTED_RESOURCE (an active key, or a retired key that may still have signed a
   * live token).
   */
  async remove(me: Principal, kid: string, ctx: RequestContext): Promise<void> {
    await runTransaction(this.dataSource, async (em) => {
      const key = await this.findOrFail(em, kid, true);
      const expired =
        key.status === 'retired' && !!key.retiredAt && key.retiredAt.getTime() + this.store.retentionSeconds * 1000 <= Date.now();
      if (key.status !== 'next' && !expired) throw new AppException(ErrorCode.PROTECTED_RESOURCE);
      await em.getRepository(SigningKey).delete({ kid });
      await this.audit.record(
        { action: 'key.delete', actorId: me.actorId, targetType: 'key', targetId: kid, detail: { alg: key.alg, status: key.status } },
        ctx,
        em,
      );
    });
    await this.store.reload();
  }

  /** With a row lock on MySQL, so two rotations of one key run one after the other. */
  private async findOrFail(em: EntityManager, kid: string, lock: boolean): Promise<SigningKey> {
    const qb = em.getRepository(SigningKey).createQueryBuilder('k').where('k.kid = :kid', { kid });
    if (lock && supportsRowLocks(em)) qb.setLock('pessimistic_write');
    const key = await qb.getOne();
    if (!key) throw new AppException(ErrorCode.NOT_FOUND);
    return key;
  }
}
