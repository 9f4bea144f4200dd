import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { PagesModule } from '../pages/pages.module.js';
import { StateModule } from '../state/state.module.js';
import { UsersModule } from '../users/users.module.js';
import { AccountPages } from './account-pages.js';

/** The account pages mailed links open: /reset-password, /forgot-password, /verify-email (AccountPages). */
@Module({ imports: [PagesModule, StateModule, AuthModule, UsersModule], providers: [AccountPages], exports: [AccountPages] })
export class AccountPagesModule {}
