import { AuditLog } from '../audit/audit-log.entity.js';
import { LoginFailure } from '../credentials/login-failure.entity.js';
import { RecoveryCode } from '../mfa/recovery-code.entity.js';
import { UserMfa } from '../mfa/user-mfa.entity.js';
import { UserToken } from '../credentials/user-token.entity.js';
import { Permission } from '../permissions/permission.entity.js';
import { Role } from '../roles/role.entity.js';
import { Session } from '../sessions/session.entity.js';
import { User } from '../users/user.entity.js';
import { SigningKey } from '../keys/signing-key.entity.js';
import { OAuthClient } from '../clients/client.entity.js';
import { OAuthModel } from '../oauth/oauth-model.entity.js';

/** Every entity, listed explicitly (no globs: they break under ESM and bundling). */
export const ENTITIES = [
  User,
  Role,
  Permission,
  Session,
  UserToken,
  LoginFailure,
  AuditLog,
  UserMfa,
  RecoveryCode,
  SigningKey,
  OAuthClient,
  OAuthModel,
];
