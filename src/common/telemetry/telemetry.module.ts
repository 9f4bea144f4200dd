import { Module } from '@nestjs/common';
import { Telemetry } from './telemetry.js';

/** The one Telemetry relay of the app: every module that reports imports this, the metrics module attaches to it. */
@Module({ providers: [Telemetry], exports: [Telemetry] })
export class TelemetryModule {}
