import { Controller, Get, Inject, Optional, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, TypeOrmHealthIndicator, type HealthCheckResult } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../config/app.config.js';
import { Public } from '../common/decorators/public.decorator.js';
import { RawResponse } from '../common/http/envelope.interceptor.js';
import { REDIS_HEALTH, type RedisHealth } from './redis-health.js';

/** Liveness and readiness for load balancers and orchestrators; not wrapped, no auth. */
@ApiTags('health')
@Public()
@RawResponse()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(REDIS_HEALTH) private readonly redis?: RedisHealth,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'The process is up' })
  @ApiOkResponse({ description: 'Alive' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({
    summary: 'Ready to serve: the database answers',
    description: 'Redis, when configured, is reported under `details.redis`; its outage is not fatal (the database serves).',
  })
  @ApiOkResponse({ description: 'Ready' })
  @ApiServiceUnavailableResponse({ description: 'The database does not answer' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    let result: HealthCheckResult;
    try {
      result = await this.health.check([() => this.db.pingCheck('database', { timeout: Math.min(this.config.db.timeoutMs, 3000) })]);
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      result = err.getResponse() as HealthCheckResult;
      reply.status(503);
    }
    if (this.redis) result.details = { ...result.details, redis: await this.redis.check() };
    return result;
  }
}
