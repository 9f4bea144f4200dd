import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AppException, detail } from '../common/errors/app.exception.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import { fetchPage, orderBy, toPage, whereKeyword, type Page, type SortSpec } from '../common/pagination/page.js';
import { AuditLog } from './audit-log.entity.js';
import { toAuditLogDto, type AuditLogDto, type ListAuditLogsQuery } from './dto/audit-log.dto.js';

const SORT: SortSpec<NonNullable<ListAuditLogsQuery['sort']>> = {
  columns: { created_at: 'a.createdAt', id: 'a.id', action: 'a.action' },
  default: { field: 'created_at', order: 'desc' },
  // Ids grow with time, so they order entries written within the same clock tick.
  tiebreak: 'a.id',
};

/** GET /audit-logs: read-only; entries are written by AuditService inside each change's transaction. */
@Injectable()
export class AuditQueryService {
  constructor(@InjectRepository(AuditLog) private readonly logs: Repository<AuditLog>) {}

  async list(query: ListAuditLogsQuery): Promise<Page<AuditLogDto>> {
    const qb = this.logs.createQueryBuilder('a');
    whereKeyword(qb, ['a.action', 'a.targetType', 'a.targetId'], query.keyword);
    if (query.actor_id) qb.andWhere('a.actorId = :actor', { actor: query.actor_id });
    if (query.action) qb.andWhere('a.action = :action', { action: query.action });
    if (query.target_type) qb.andWhere('a.targetType = :targetType', { targetType: query.target_type });
    if (query.target_id) qb.andWhere('a.targetId = :targetId', { targetId: query.target_id });
    const from = query.from ? this.date(query.from, 'from') : null;
    const to = query.to ? this.date(query.to, 'to') : null;
    if (from) qb.andWhere('a.createdAt >= :from', { from });
    if (to) qb.andWhere('a.createdAt < :to', { to });
    orderBy(qb, SORT, query.sort, query.order);
    const { rows, total } = await fetchPage(qb, query);
    return toPage(rows.map(toAuditLogDto), total, query);
  }

  /** ISO 8601 passed validation; a date without a zone is read as UTC (timestamps are UTC, docs/api.md §1). */
  private date(value: string, field: string): Date {
    const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(value) || !value.includes('T') ? value : `${value}Z`;
    const date = new Date(zoned);
    if (Number.isNaN(date.getTime())) {
      throw new AppException(ErrorCode.VALIDATION_FAILED, {
        details: [detail(field, 'invalid_format', { format: 'date' })],
      });
    }
    return date;
  }
}
