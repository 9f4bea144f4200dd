import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, MoreThan, Repository, type EntityManager } from 'typeorm';
import { UserToken, type UserTokenPurpose } from './user-token.entity.js';

const sha256 = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/**
 * Single-use tokens mailed to a user (password reset, email verification): 32 random bytes,
 * stored only as SHA-256, valid until they expire, are spent, or are superseded by a newer
 * one of the same purpose.
 */
@Injectable()
export class UserTokensService {
  constructor(@InjectRepository(UserToken) private readonly tokens: Repository<UserToken>) {}

  /**
   * A new token for `userId` (in the caller's transaction). Every older unused one of the
   * purpose stops working, unless `supersede` is false (verification links: each one mailed
   * stays good until it expires or one of them is used).
   */
  async issue(
    em: EntityManager,
    userId: string,
    purpose: UserTokenPurpose,
    ttlSeconds: number,
    { supersede = true }: { supersede?: boolean } = {},
  ): Promise<{ token: string; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
    if (supersede) await this.cancel(userId, purpose, em);
    await em.getRepository(UserToken).insert({ userId, purpose, tokenHash: sha256(token), expiresAt, usedAt: null });
    return { token, expiresAt };
  }

  /** The live token row, or null (unknown, spent, superseded or expired). */
  findValid(token: string, purpose: UserTokenPurpose): Promise<UserToken | null> {
    return this.tokens.findOneBy({ tokenHash: sha256(token), purpose, usedAt: IsNull(), expiresAt: MoreThan(new Date()) });
  }

  /** Spends the token; false when another request spent it first (single use, even when two race). */
  async spend(em: EntityManager, id: number): Promise<boolean> {
    const result = await em
      .getRepository(UserToken)
      .createQueryBuilder()
      .update()
      .set({ usedAt: new Date() })
      .where('id = :id AND used_at IS NULL', { id })
      .execute();
    return result.affected === 1;
  }

  /** Every unused token of the user (of one purpose, or all) stops working. */
  async cancel(userId: string, purpose?: UserTokenPurpose, em?: EntityManager): Promise<void> {
    await (em?.getRepository(UserToken) ?? this.tokens).update(
      { userId, usedAt: IsNull(), ...(purpose ? { purpose } : {}) },
      { usedAt: new Date() },
    );
  }
}
