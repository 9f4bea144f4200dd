import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SHARED_STATE, type SharedState } from '../state/shared-state.js';
import { StateModule } from '../state/state.module.js';
import { Session } from './session.entity.js';
import { SESSION_CACHE, SessionService } from './session.service.js';

/**
 * Sessions and their revocation: a small module of its own below users and auth, so that
 * users (disable, delete) and auth (logout, password change) can both revoke.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Session]), StateModule],
  providers: [
    SessionService,
    { provide: SESSION_CACHE, inject: [SHARED_STATE], useFactory: (state: SharedState) => state.cache('session') },
  ],
  exports: [SessionService],
})
export class SessionsModule {}
