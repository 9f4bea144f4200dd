import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module.js';
import { Role } from '../roles/role.entity.js';
import { SuperAdmins } from './super-admins.js';
import { User } from './user.entity.js';
import { UserQueryService } from './user-query.service.js';
import { UserRolesService } from './user-roles.service.js';
import { UsersAdminService } from './users-admin.service.js';
import { UsersController } from './users.controller.js';
import { UsersModule } from './users.module.js';

/**
 * The /users administration routes. A module of its own because it needs AuthModule
 * (password policy, lockout state) while AuthModule needs UsersModule: folding these
 * routes into UsersModule would make a cycle.
 */
@Module({
  imports: [UsersModule, AuthModule, TypeOrmModule.forFeature([User, Role])],
  controllers: [UsersController],
  providers: [UserQueryService, UsersAdminService, UserRolesService, SuperAdmins],
})
export class UsersAdminModule {}
