import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditLog } from './audit-log.entity.js';
import { AuditQueryService } from './audit-query.service.js';
import { AuditController } from './audit.controller.js';

/**
 * GET /audit-logs. Kept apart from the global AuditModule (the writer every feature
 * uses), so the writer stays a leaf module with no routes.
 */
@Module({
  imports: [TypeOrmModule.forFeature([AuditLog])],
  controllers: [AuditController],
  providers: [AuditQueryService],
})
export class AuditLogsModule {}
