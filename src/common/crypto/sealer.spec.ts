import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Sealer } from './sealer.js';

describe('Sealer', () => {
  const sealer = new Sealer(randomBytes(32));

  it('opens what it sealed, and the sealed form hides the plaintext', () => {
    const sealed = sealer.seal('JBSWY3DPEHPK3PXP', 'user-1');
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(sealer.open(sealed, 'user-1')).toBe('JBSWY3DPEHPK3PXP');
    // A fresh IV each time.
    expect(sealer.seal('JBSWY3DPEHPK3PXP', 'user-1')).not.toBe(sealed);
  });

  it('refuses another context, another key, and any alteration', () => {
    const sealed = sealer.seal('secret', 'kid-1');
    expect(() => sealer.open(sealed, 'kid-2')).toThrow();
    expect(() => new Sealer(randomBytes(32)).open(sealed, 'kid-1')).toThrow();
    const parts = sealed.split('.');
    parts[3] = Buffer.from('altered').toString('base64url');
    expect(() => sealer.open(parts.join('.'), 'kid-1')).toThrow();
    expect(() => sealer.open('garbage', 'kid-1')).toThrow();
    expect(() => new Sealer(randomBytes(16))).toThrow();
  });
});
