import { describe, expect, it } from 'vitest';
import { AppException } from '../common/errors/app.exception.js';
import { isLoopbackHost, requestedDelivery } from './token-delivery.js';

describe('isLoopbackHost', () => {
  it('is true for the hosts only this machine can serve', () => {
    for (const host of ['localhost', 'LOCALHOST', 'app.localhost', '127.0.0.1', '127.1.2.3', '[::1]', '::1']) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
  });

  it('is false for everything else', () => {
    for (const host of ['example.com', 'localhost.example.com', '10.0.0.1', '128.0.0.1', '127.0.0.1.nip.io', '0.0.0.0', '[::2]']) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });
});

describe('requestedDelivery', () => {
  const of = (value?: string | string[]) => requestedDelivery({ headers: value === undefined ? {} : { 'x-token-delivery': value } });

  it('reads X-Token-Delivery: absent or empty is null, cookie and body in any case', () => {
    expect(of()).toBeNull();
    expect(of('')).toBeNull();
    expect(of('cookie')).toBe('cookie');
    expect(of(' Cookie ')).toBe('cookie');
    expect(of('BODY')).toBe('body');
  });

  it('refuses anything else with 400 VALIDATION_FAILED naming the header', () => {
    for (const value of ['jar', 'cookies', ['cookie', 'cookie']]) {
      try {
        of(value);
        expect.unreachable(String(value));
      } catch (err) {
        expect(err).toBeInstanceOf(AppException);
        expect((err as AppException).code).toBe('VALIDATION_FAILED');
        expect((err as AppException).options.details).toEqual([
          { field: 'X-Token-Delivery', message: 'X-Token-Delivery must be cookie or body' },
        ]);
      }
    }
  });
});
