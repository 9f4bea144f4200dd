import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../config/app.config.js';
import { PAGES_CSP, PagesService } from './pages.service.js';

const config = {
  encryptionKey: randomBytes(32),
  i18n: { defaultLocale: 'en' },
  http: { publicUrl: 'https://id.example.com/auth' },
} as unknown as AppConfig;

describe('PagesService', () => {
  const pages = new PagesService(config);
  pages.defineStrings({ en: { 'demo.hello': 'Hello, {name}' }, 'zh-CN': { 'demo.hello': '你好,{name}' } });
  pages.defineView('demo', `<% layout('@layout') %><p><%= it.t('demo.hello', { name: it.name }) %></p>`);

  it('chooses ui_locales first, then Accept-Language, then the default', () => {
    expect(pages.locale('en-US,en;q=0.9', 'fr zh-Hans')).toBe('zh-CN');
    expect(pages.locale('zh-CN', 'en-GB')).toBe('en');
    expect(pages.locale('zh-TW;q=0.8, en;q=0.5', 'fr')).toBe('zh-CN');
    expect(pages.locale(undefined, undefined)).toBe('en');
    expect(pages.locale('de', 42)).toBe('en');
  });

  it('renders a view in the layout, escaping data, with the stylesheet under PUBLIC_URL’s path', () => {
    const html = pages.render('demo', { title: 'T <b>', name: '<script>x</script>', requestId: 'req-1' }, 'zh-CN');
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('<h1>T &lt;b&gt;</h1>');
    expect(html).toContain('<p>你好,&lt;script&gt;x&lt;/script&gt;</p>');
    expect(html).toContain('<link rel="stylesheet" href="/auth/assets/pages.css">');
    expect(html).toContain('<code>req-1</code>');
    expect(html).not.toContain('<script>');
  });

  it('falls back to English, then to the key, for a missing text', () => {
    pages.defineStrings({ en: { 'demo.only_en': 'Only English' }, 'zh-CN': {} });
    expect(pages.t('zh-CN', 'demo.only_en')).toBe('Only English');
    expect(pages.t('en', 'demo.nowhere')).toBe('demo.nowhere');
  });

  it('sends no-store HTML with a CSP that allows no inline script or style', () => {
    expect(pages.headers('en')).toMatchObject({
      'Cache-Control': 'no-store',
      'Content-Security-Policy': PAGES_CSP,
      'Content-Language': 'en',
    });
    expect(PAGES_CSP).not.toContain('unsafe-inline');
    expect(PAGES_CSP).toContain("default-src 'none'");
  });
});
