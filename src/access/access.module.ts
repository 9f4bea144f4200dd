import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Permission } from '../permissions/permission.entity.js';
import { User } from '../users/user.entity.js';
import { AccessService } from './access.service.js';

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([User, Permission])],
  providers: [AccessService],
  exports: [AccessService],
})
export class AccessModule {}
