import { Module } from '@nestjs/common';
import { MailService } from './mail.service.js';

/** Outgoing mail; the transport is chosen by MAIL_TRANSPORT. */
@Module({ providers: [MailService], exports: [MailService] })
export class MailModule {}
