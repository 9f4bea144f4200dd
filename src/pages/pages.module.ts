import { Module } from '@nestjs/common';
import { PagesService } from './pages.service.js';

/** Hosted HTML pages: views, texts, CSRF tokens, headers and the stylesheet (see PagesService). */
@Module({ providers: [PagesService], exports: [PagesService] })
export class PagesModule {}
