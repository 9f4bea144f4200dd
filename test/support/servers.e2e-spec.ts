/**
 * Self-test of the real-server launchers used by the e2e suites. It never
 * skips: without mariadb-server / redis-server installed it fails with the
 * apt-get hint, locally and in CI alike.
 */
import { existsSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { createConnection, type RowDataPacket } from 'mysql2/promise';
import { createTransport } from 'nodemailer';
import { freePort } from './ports.js';
import { createDatabase, dropDatabase, findMariaDbBinaries, MARIADB_INSTALL_HINT, startMariaDb } from './mariadb.js';
import { findRedisBinary, REDIS_INSTALL_HINT, redisPing, startRedis } from './redis.js';
import { startSmtp } from './smtp.js';

async function selectOne(url: string): Promise<number> {
  const conn = await createConnection(url);
  try {
    const [rows] = await conn.query<RowDataPacket[]>('SELECT 1 AS one');
    return Number(rows[0]?.['one']);
  } finally {
    await conn.end();
  }
}

describe('test support servers', () => {
  it('freePort returns a bindable port', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThan(65536);
  });

  it('MariaDB: start, create database, query, stop/start keeps data, destroy', { timeout: 90_000 }, async () => {
    if (!findMariaDbBinaries()) throw new Error(MARIADB_INSTALL_HINT);

    const t0 = Date.now();
    const db = await startMariaDb();
    const startupMs = Date.now() - t0;
    try {
      expect(db.host).toBe('127.0.0.1');
      expect(db.user).toBe('test');
      expect(db.password).toMatch(/^[0-9a-f]{32}$/);

      const url = await createDatabase(db, 'servers_selftest');
      expect(url).toBe(`mysql://test:${db.password}@127.0.0.1:${db.port}/servers_selftest`);
      expect(await selectOne(url)).toBe(1);

      const conn = await createConnection(url);
      try {
        const [charset] = await conn.query<RowDataPacket[]>(
          "SELECT DEFAULT_CHARACTER_SET_NAME AS cs, DEFAULT_COLLATION_NAME AS co FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'servers_selftest'",
        );
        expect(charset[0]).toMatchObject({ cs: 'utf8mb4', co: 'utf8mb4_unicode_ci' });
        await conn.query('CREATE TABLE kv (k VARCHAR(32) PRIMARY KEY, v VARCHAR(32)) ENGINE=InnoDB');
        await conn.query("INSERT INTO kv VALUES ('survives', 'restart')");
      } finally {
        await conn.end();
      }

      await db.stop();
      await db.stop(); // idempotent
      await expect(selectOne(url)).rejects.toThrow();

      await db.start();
      expect(await selectOne(url)).toBe(1);
      const conn2 = await createConnection(url);
      try {
        const [rows] = await conn2.query<RowDataPacket[]>("SELECT v FROM kv WHERE k = 'survives'");
        expect(rows[0]?.['v']).toBe('restart');
      } finally {
        await conn2.end();
      }

      await dropDatabase(db, 'servers_selftest');
      await expect(selectOne(url)).rejects.toThrow(/Unknown database/);
      console.info(`[servers.e2e] MariaDB install+start+user in ${startupMs} ms (port ${db.port})`);
    } finally {
      await db.destroy();
    }
    await db.destroy(); // idempotent
    expect(existsSync(db.dataDir)).toBe(false);
    await expect(db.start()).rejects.toThrow(/destroyed/);
  });

  it('Redis: start, PING, stop/start on the same port, destroy', { timeout: 60_000 }, async () => {
    if (!findRedisBinary()) throw new Error(REDIS_INSTALL_HINT);

    const redis = await startRedis();
    try {
      expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
      expect(await redisPing(redis.port)).toBe(true);

      await redis.stop();
      await redis.stop(); // idempotent
      expect(await redisPing(redis.port)).toBe(false);

      await redis.start();
      expect(await redisPing(redis.port)).toBe(true);
    } finally {
      await redis.destroy();
    }
    await redis.destroy(); // idempotent
    expect(await redisPing(redis.port)).toBe(false);
  });

  it('SMTP: receives a nodemailer multipart message', { timeout: 30_000 }, async () => {
    const smtp = await startSmtp();
    try {
      expect(smtp.url).toBe(`smtp://127.0.0.1:${smtp.port}`);
      const transport = createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true });
      // Long enough that quoted-printable must soft-wrap it, and full of '='.
      const link = `https://auth.example.test/verify-email?token=${'a1b2c3d4'.repeat(12)}&user=42&next=%2Fhome`;
      const waiting = smtp.waitFor((m) => m.to.includes('alice@example.test'), 5_000);
      await transport.sendMail({
        from: '"Auth Centre" <no-reply@example.test>',
        to: 'Alice <alice@example.test>',
        subject: 'Vérifiez votre adresse e-mail',
        text: `Hello Alice,\n\nconfirm your address: ${link}\n`,
        html: `<p>Hello Alice,</p><p><a href="${link}">Confirm your address</a></p>`,
      });
      transport.close();

      const mail = await waiting;
      expect(smtp.messages).toHaveLength(1);
      expect(mail.from).toBe('no-reply@example.test');
      expect(mail.to).toEqual(['alice@example.test']);
      expect(mail.subject).toBe('Vérifiez votre adresse e-mail');
      expect(mail.raw).toMatch(/multipart\/alternative/i);
      expect(mail.raw).toContain('=3D'); // the raw body really is quoted-printable
      expect(mail.text).toContain(link);
      expect(mail.text).toContain(`href="${link}"`);

      await expect(smtp.waitFor((m) => m.subject === 'never sent', 200)).rejects.toThrow(/no matching mail/);
    } finally {
      await smtp.stop();
    }
    await smtp.stop(); // idempotent
  });
});
