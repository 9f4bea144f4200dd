/** Injection token of the captcha answers: the shared state's `captcha` store (AuthModule). */
export const CAPTCHA_STORE = Symbol('CAPTCHA_STORE');
