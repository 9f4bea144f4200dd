import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Session } from './session.entity.js';
import { SessionService } from './session.service.js';

/** Its own small module, so users (disable, delete) and auth (logout) can both revoke. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([Session])],
  providers: [SessionService],
  exports: [SessionService],
})
export class SessionsModule {}
