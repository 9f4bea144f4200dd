import type { Locale } from '../common/i18n/messages.js';

/** A feature's page texts: the same keys in every locale. `{name}` is replaced by the parameter `name`. */
export type PageStrings = Record<Locale, Record<string, string>>;

/** The texts of the layout and the generic message page, which every feature's pages share. */
export const COMMON_STRINGS: PageStrings = {
  en: {
    'layout.request_id': 'Request ID',
    'layout.brand': 'AuthCentre',
    'error.title': 'Something went wrong',
    'error.expired_title': 'This sign-in has expired',
    'error.expired': 'This sign-in request has expired or was already used. Go back to the application and start again.',
    'error.csrf_title': 'The form has expired',
    'error.csrf': 'The page was open too long or was sent from elsewhere. Go back to the application and start again.',
    'error.not_found': 'The page you asked for does not exist.',
    'error.detail': 'Detail',
  },
  'zh-CN': {
    'layout.request_id': '请求 ID',
    'layout.brand': 'AuthCentre',
    'error.title': '出错了',
    'error.expired_title': '本次登录已过期',
    'error.expired': '本次登录请求已过期或已被使用。请返回应用重新开始。',
    'error.csrf_title': '表单已失效',
    'error.csrf': '页面打开时间过长,或表单来自其他站点。请返回应用重新开始。',
    'error.not_found': '您访问的页面不存在。',
    'error.detail': '详情',
  },
};
