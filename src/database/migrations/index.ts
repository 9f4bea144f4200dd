import { InitialSchema1763700000000 } from './1763700000000-InitialSchema.js';
import { UserTokens1764700000000 } from './1764700000000-UserTokens.js';
import { SessionLifetime1764700000001 } from './1764700000001-SessionLifetime.js';
import { SecondFactor1764800000000 } from './1764800000000-SecondFactor.js';
import { AuthorizationServer1765000000000 } from './1765000000000-AuthorizationServer.js';

/** Every migration in order. A new one is added here after `npm run migration:generate`. */
export const MIGRATIONS = [
  InitialSchema1763700000000,
  UserTokens1764700000000,
  SessionLifetime1764700000001,
  SecondFactor1764800000000,
  AuthorizationServer1765000000000,
];
