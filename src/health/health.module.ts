import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { StateModule } from '../state/state.module.js';
import { HealthController } from './health.controller.js';

@Module({
  imports: [StateModule, TerminusModule.forRoot({ errorLogStyle: 'json', gracefulShutdownTimeoutMs: 0, logger: false })],
  controllers: [HealthController],
})
export class HealthModule {}
