import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, LessThanOrEqual, Repository } from 'typeorm';
import { isDuplicateKey } from '../common/errors/map-error.js';
import { OAuthModel } from './oauth-model.entity.js';

/** A provider payload as stored: the provider's JSON object. */
export type ModelPayload = Record<string, unknown> & {
  grantId?: string;
  accountId?: string;
  uid?: string;
  consumed?: number;
  exp?: number;
};

/**
 * The database side of the provider's storage (the `oauth_models` table): grants, refresh
 * tokens and browser sessions, the models that must outlive a restart and that revocation
 * looks up by grant and by account.
 */
@Injectable()
export class OAuthStore {
  constructor(@InjectRepository(OAuthModel) private readonly rows: Repository<OAuthModel>) {}

  async upsert(model: string, id: string, payload: ModelPayload, expiresIn: number | undefined, sessionId?: string | null): Promise<void> {
    const values = {
      payload: JSON.stringify(payload),
      grantId: typeof payload.grantId === 'string' ? payload.grantId : model === 'Grant' ? id : null,
      accountId: typeof payload.accountId === 'string' ? payload.accountId.slice(0, 36) : null,
      uid: typeof payload.uid === 'string' ? payload.uid : null,
      expiresAt: typeof expiresIn === 'number' ? new Date(Date.now() + expiresIn * 1000) : null,
      ...(sessionId !== undefined ? { sessionId } : {}),
    };
    const updated = await this.rows.update({ model, id }, values);
    if (updated.affected) return;
    try {
      await this.rows.insert({ model, id, sessionId: null, ...values });
    } catch (err) {
      // Another request inserted it in between: this write wins all the same.
      if (!isDuplicateKey(err)) throw err;
      await this.rows.update({ model, id }, values);
    }
  }

  /** The row, or null when absent or expired. */
  async find(model: string, id: string): Promise<OAuthModel | null> {
    const row = await this.rows.findOneBy({ model, id });
    return row && (!row.expiresAt || row.expiresAt.getTime() > Date.now()) ? row : null;
  }

  async findByUid(model: string, uid: string): Promise<OAuthModel | null> {
    const row = await this.rows.findOneBy({ model, uid });
    return row && (!row.expiresAt || row.expiresAt.getTime() > Date.now()) ? row : null;
  }

  /** Marks the row consumed (a spent refresh token): its reuse is theft. */
  async consume(model: string, id: string): Promise<void> {
    const row = await this.rows.findOneBy({ model, id });
    if (!row) return;
    const payload = JSON.parse(row.payload) as ModelPayload;
    payload.consumed = Math.floor(Date.now() / 1000);
    await this.rows.update({ model, id }, { payload: JSON.stringify(payload) });
  }

  async destroy(model: string, id: string): Promise<void> {
    await this.rows.delete({ model, id });
  }

  async revokeByGrantId(model: string, grantId: string): Promise<void> {
    await this.rows.delete({ model, grantId });
  }

  /** Every row of these grants (a revoked user's or client's grants), all models. */
  async removeGrants(grantIds: string[]): Promise<void> {
    if (!grantIds.length) return;
    await this.rows.delete({ grantId: In(grantIds) });
  }

  /** The newest live grant of `accountId` for `clientId`: consent is remembered per user and client. */
  async latestGrant(accountId: string, clientId: string): Promise<string | null> {
    const rows = await this.rows.find({ where: { model: 'Grant', accountId }, order: { expiresAt: 'DESC' } });
    for (const row of rows) {
      if (row.expiresAt && row.expiresAt.getTime() <= Date.now()) continue;
      if ((JSON.parse(row.payload) as ModelPayload).clientId === clientId) return row.id;
    }
    return null;
  }

  /** Drops expired rows (called now and then: expired rows are already ignored by every read). */
  async sweep(): Promise<void> {
    await this.rows.delete({ expiresAt: LessThanOrEqual(new Date()) });
    await this.rows.delete({ model: 'Session', accountId: IsNull(), expiresAt: IsNull() });
  }
}
