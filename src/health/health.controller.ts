import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags, type SchemaObject } from '@nestjs/swagger';
import { HealthCheckService, TypeOrmHealthIndicator, type HealthCheckResult } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app.config.js';
import { Public } from '../authz/public.decorator.js';
import { RawResponse } from '../common/http/envelope.interceptor.js';
import { SHARED_STATE, type SharedState } from '../state/shared-state.js';

/** Terminus' HealthCheckResult, as the readiness probe answers it (documentation only). */
const HEALTH_RESULT: SchemaObject = {
  type: 'object',
  required: ['status', 'details'],
  properties: {
    status: { type: 'string', enum: ['ok', 'error', 'shutting_down'] },
    info: { type: 'object', additionalProperties: { type: 'object', additionalProperties: true } },
    error: { type: 'object', additionalProperties: { type: 'object', additionalProperties: true } },
    details: {
      type: 'object',
      description: 'Per check: `database`, and `redis` when REDIS_URL is set',
      additionalProperties: {
        type: 'object',
        required: ['status'],
        properties: { status: { type: 'string', enum: ['up', 'down'] } },
        additionalProperties: true,
      },
    },
  },
};

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
    @Inject(SHARED_STATE) private readonly state: SharedState,
    private readonly dataSource: DataSource,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'The process is up' })
  @ApiOkResponse({
    description: 'Alive',
    schema: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } }, example: { status: 'ok' } },
  })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({
    summary: 'Ready to serve: the database answers',
    description: 'Redis, when configured, is reported under `details.redis`; its outage is not fatal (the database serves).',
  })
  @ApiOkResponse({
    description: 'Ready',
    schema: {
      ...HEALTH_RESULT,
      example: { status: 'ok', info: { database: { status: 'up' } }, error: {}, details: { database: { status: 'up' } } },
    },
  })
  @ApiServiceUnavailableResponse({
    description: 'The database does not answer',
    schema: {
      ...HEALTH_RESULT,
      example: { status: 'error', info: {}, error: { database: { status: 'down' } }, details: { database: { status: 'down' } } },
    },
  })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    let result: HealthCheckResult;
    try {
      // The app's DataSource, given rather than looked up: terminus' lookup imports
      // @nestjs/typeorm by a computed name, which in the bundled build (scripts/bundle.mjs)
      // loads a second copy of it and of TypeORM that knows no connection.
      const connection = this.dataSource;
      const timeout = Math.min(this.config.db.timeoutMs, 3000);
      result = await this.health.check([() => this.db.pingCheck('database', { connection, timeout })]);
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      result = err.getResponse() as HealthCheckResult;
      reply.status(503);
    }
    const redis = await this.state.health();
    if (redis) result.details = { ...result.details, redis };
    return result;
  }
}
