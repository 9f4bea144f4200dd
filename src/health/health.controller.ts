import { Controller, Get, Inject, Optional } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator, type HealthIndicatorFunction } from '@nestjs/terminus';
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
  @ApiOperation({ operationId: 'health_live', summary: 'The process is up' })
  @ApiOkResponse({ description: 'Alive' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ operationId: 'health_ready', summary: 'The database (and Redis, when configured) answer' })
  @ApiServiceUnavailableResponse({ description: 'A dependency is down' })
  ready() {
    const checks: HealthIndicatorFunction[] = [
      () => this.db.pingCheck('database', { timeout: Math.min(this.config.db.timeoutMs, 3000) }),
    ];
    if (this.redis) checks.push(() => this.redis!.check('redis'));
    return this.health.check(checks);
  }
}
