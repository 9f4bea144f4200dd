import { Module } from '@nestjs/common';
import { SHARED_STATE, type SharedState } from '../state/shared-state.js';
import { StateModule } from '../state/state.module.js';
import { ACCESS_CACHE, AccessService } from './access.service.js';
import { PermissionsGuard } from './permissions.guard.js';

/**
 * The authorization layer every feature builds on: principals, `@Public`,
 * `@RequirePermissions`, the permission catalogue and the permission cache. It knows no
 * feature; users and clients register where their access comes from.
 */
@Module({
  imports: [StateModule],
  providers: [
    AccessService,
    PermissionsGuard,
    { provide: ACCESS_CACHE, inject: [SHARED_STATE], useFactory: (state: SharedState) => state.cache('access') },
  ],
  exports: [AccessService, PermissionsGuard],
})
export class AuthzModule {}
