import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { AuthzModule } from '../authz/authz.module.js';
import { KeyStore } from './key-store.js';
import { KeysController } from './keys.controller.js';
import { KeysService } from './keys.service.js';
import { SigningKey } from './signing-key.entity.js';

/** Signing keys (docs/api.md §8): rotation, the in-memory key set that auth and oauth sign with, the JWKS. */
@Module({
  imports: [TypeOrmModule.forFeature([SigningKey]), AuthzModule, AuditModule],
  controllers: [KeysController],
  providers: [KeyStore, KeysService],
  exports: [KeyStore, KeysService],
})
export class KeysModule {}
