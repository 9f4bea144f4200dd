import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { AuthzModule } from '../authz/authz.module.js';
import { TelemetryModule } from '../common/telemetry/telemetry.module.js';
import { ClientsModule } from '../clients/clients.module.js';
import { KeysModule } from '../keys/keys.module.js';
import { PagesModule } from '../pages/pages.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { SHARED_STATE, type SharedState } from '../state/shared-state.js';
import { StateModule } from '../state/state.module.js';
import { UsersModule } from '../users/users.module.js';
import { AccessTokens } from './access-tokens.js';
import { RememberedConsents } from './interaction/consents.js';
import { InteractionPages } from './interaction/interaction-pages.js';
import { OAuthHttp } from './oauth-http.js';
import { OAuthModel } from './oauth-model.entity.js';
import { OAuthStore } from './oauth-store.js';
import { OIDC_KV, OidcProvider } from './oidc-provider.service.js';

/**
 * The authorization server (docs/api.md §9): oidc-provider mounted at /oauth2, its storage,
 * the password grant, the hosted sign-in pages (interaction/), and the JWT front for
 * introspection, revocation and userinfo. It is a
 * door into sign-in like the API's login: both call auth's SignInService.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([OAuthModel]),
    AuthModule,
    AuthzModule,
    AuditModule,
    ClientsModule,
    KeysModule,
    PagesModule,
    SessionsModule,
    StateModule,
    UsersModule,
    TelemetryModule,
  ],
  providers: [
    OAuthStore,
    AccessTokens,
    OidcProvider,
    OAuthHttp,
    RememberedConsents,
    InteractionPages,
    { provide: OIDC_KV, inject: [SHARED_STATE], useFactory: (state: SharedState) => state.kv('oidc') },
  ],
  exports: [OAuthHttp],
})
export class OAuthModule {}
