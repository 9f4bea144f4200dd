import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository, type EntityManager } from 'typeorm';
import { leanInsert } from '../common/database/lean-sql.js';
import type { RequestContext } from '../common/http/request-context.js';
import { AuditLog } from './audit-log.entity.js';

/** The audit actions of docs/api.md §5, and the few more this service records. */
export type AuditAction =
  | 'auth.register'
  | 'auth.login.success'
  | 'auth.login.failure'
  | 'auth.locked'
  | 'auth.logout'
  | 'auth.refresh.reuse_detected'
  | 'auth.password.forgot'
  | 'auth.password.reset'
  | 'user.password.change'
  | 'user.session.revoke'
  | 'user.create'
  | 'user.update'
  | 'user.delete'
  | 'user.roles.set'
  | 'user.password.set'
  | 'user.sessions.revoke'
  | 'user.unlock'
  | 'user.mfa.enable'
  | 'user.mfa.disable'
  | 'user.mfa.reset'
  | 'user.mfa.recovery_codes'
  | 'auth.mfa.success'
  | 'auth.mfa.failure'
  | 'user.email.verify'
  | 'role.create'
  | 'role.update'
  | 'role.delete'
  | 'role.permissions.set'
  | 'permission.create'
  | 'permission.update'
  | 'permission.delete'
  | 'key.create'
  | 'key.activate'
  | 'key.delete'
  | 'client.create'
  | 'client.update'
  | 'client.delete'
  | 'client.secret.rotate'
  | 'oauth.token'
  | 'oauth.revoke'
  /** The admin CLI applied database migrations (docs/operations.md). */
  | 'schema.migrate';

export interface AuditEntry {
  action: AuditAction;
  actorId?: string | null;
  targetType?: 'user' | 'role' | 'permission' | 'session' | 'login' | 'key' | 'client' | null;
  targetId?: string | number | null;
  success?: boolean;
  detail?: Record<string, unknown> | null;
}

@Injectable()
export class AuditService {
  constructor(@InjectRepository(AuditLog) private readonly logs: Repository<AuditLog>) {}

  /**
   * Writes one entry. Pass the transaction's `em` so the entry commits (or rolls back)
   * with the change it describes.
   */
  async record(entry: AuditEntry, ctx: RequestContext | null, em?: EntityManager): Promise<void> {
    // Hand-written (lean-sql.ts): every login writes one, and the row needs nothing read back.
    await leanInsert(em ?? this.logs.manager, AuditLog, {
      action: entry.action,
      actorId: entry.actorId ?? null,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId === undefined || entry.targetId === null ? null : String(entry.targetId).slice(0, 64),
      ip: ctx?.ip ?? null,
      userAgent: ctx?.userAgent ?? null,
      success: entry.success ?? true,
      detail: (entry.detail ?? null) as never,
    });
  }
}
