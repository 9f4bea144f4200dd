import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequirePermissions } from '../authz/require-permissions.decorator.js';
import { ErrorCode as E } from '../common/errors/error-codes.js';
import type { Page } from '../common/pagination/page.js';
import { ApiErrors, ApiPageEnvelope } from '../common/swagger/api-envelope.js';
import { Perm } from '../authz/permission-catalogue.js';
import { AuditQueryService } from './audit-query.service.js';
import { AuditLogDto, ListAuditLogsQuery } from './dto/audit-log.dto.js';

/** docs/api.md §5: the audit log, newest first. */
@ApiTags('audit')
@Controller('audit-logs')
export class AuditController {
  constructor(private readonly logs: AuditQueryService) {}

  @Get()
  @RequirePermissions(Perm.AUDIT_READ)
  @ApiOperation({
    summary: 'Read the audit log',
    description:
      'Filters `actor_id`, `action`, `target_type`, `target_id`, `from` (inclusive) and `to` (exclusive, ISO 8601). Default order: newest first.',
  })
  @ApiPageEnvelope(AuditLogDto)
  @ApiErrors(E.VALIDATION_FAILED)
  list(@Query() query: ListAuditLogsQuery): Promise<Page<AuditLogDto>> {
    return this.logs.list(query);
  }
}
