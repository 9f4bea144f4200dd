import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, MaxLength } from 'class-validator';
import { SortablePageQuery } from '../../common/pagination/page-query.dto.js';
import type { AuditLog } from '../audit-log.entity.js';

export class AuditLogDto {
  @ApiProperty({ example: 42 }) id: number;
  @ApiProperty({ example: 'user.roles.set' }) action: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Who did it: a user id (UUID), `cli` for the admin CLI, or null (nobody signed in)',
  })
  actor_id: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'user' }) target_type: string | null;
  @ApiProperty({ type: String, nullable: true }) target_id: string | null;
  @ApiProperty({ type: String, nullable: true, example: '203.0.113.7' }) ip: string | null;
  @ApiProperty({ type: String, nullable: true }) user_agent: string | null;
  @ApiProperty({ description: 'false for a refused or failed attempt' }) success: boolean;
  @ApiProperty({ type: 'object', nullable: true, additionalProperties: true, example: { role_ids: [2, 3] } }) detail: Record<
    string,
    unknown
  > | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
}

export const AUDIT_SORTS = ['created_at', 'id', 'action'] as const;

const iso = { strict: true, strictSeparator: true } as const;

/**
 * keyword: a substring of action, target type or target id. Default order: newest first.
 * `from` is inclusive, `to` exclusive, so consecutive ranges do not overlap.
 */
export class ListAuditLogsQuery extends SortablePageQuery(AUDIT_SORTS) {
  @ApiPropertyOptional({ description: 'Who acted: a user id, or `cli`' })
  @IsOptional()
  @IsString()
  @MaxLength(36)
  actor_id?: string;

  @ApiPropertyOptional({ description: 'Exact action name, e.g. `user.delete`' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  action?: string;

  @ApiPropertyOptional({ enum: ['user', 'role', 'permission', 'session', 'login', 'key', 'client'] })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  target_type?: string;

  @ApiPropertyOptional({ description: 'A user UUID, role or permission id, session id, login name, key id or client id' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  target_id?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Entries at or after (ISO 8601, e.g. `2026-01-01T00:00:00Z`)' })
  @IsOptional()
  @IsISO8601(iso, { message: 'from must be an ISO 8601 date or date-time' })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Entries before (ISO 8601, e.g. `2026-02-01T00:00:00Z`)' })
  @IsOptional()
  @IsISO8601(iso, { message: 'to must be an ISO 8601 date or date-time' })
  to?: string;
}

export function toAuditLogDto(log: AuditLog): AuditLogDto {
  return {
    id: log.id,
    action: log.action,
    actor_id: log.actorId,
    target_type: log.targetType,
    target_id: log.targetId,
    ip: log.ip,
    user_agent: log.userAgent,
    success: Boolean(log.success),
    detail: log.detail ?? null,
    created_at: new Date(log.createdAt).toISOString(),
  };
}
