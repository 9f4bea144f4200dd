import { readFileSync } from 'node:fs';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthMetrics } from '../../src/metrics/auth-metrics.js';
import { ADMIN, DB, startApp, startIssuer, type TestApp } from '../support/app.js';
import { discover, registerClient } from '../support/oauth.js';
import { freePort } from '../support/ports.js';
import { startRedis } from '../support/redis.js';
import { login } from '../support/users.js';

/** One sample of the Prometheus text: its value, or undefined when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const open = line.indexOf('{');
    const close = line.lastIndexOf('}');
    const own: Record<string, string> = {};
    if (open === name.length) {
      for (const m of line.slice(open + 1, close).matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) own[m[1]] = m[2];
    }
    if (Object.entries(labels).every(([k, v]) => own[k] === v) && Object.keys(own).length === Object.keys(labels).length) {
      return Number(line.slice((open === name.length ? close : name.length) + 1).trim());
    }
  }
  return undefined;
}

describe(`metrics on METRICS_PORT [${DB}]`, () => {
  let t: TestApp;
  let metricsUrl: string;
  const scrape = async () => {
    const res = await fetch(metricsUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.text();
  };

  beforeAll(async () => {
    const port = await freePort();
    t = await startIssuer({ METRICS_PORT: String(port) });
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
  });
  afterAll(() => t?.close());

  it('counts logins, refreshes, reuse, grants and latency per route template, with bounded labels', async () => {
    const before = await scrape();
    const count = (text: string, name: string, labels: Record<string, string> = {}) => sample(text, name, labels) ?? 0;

    const admin = await login(t.http, ADMIN.username, ADMIN.password);
    expect((await t.http.post('/api/v1/auth/login', { username: ADMIN.username, password: 'not-the-password' })).status).toBe(401);
    expect((await t.http.post('/api/v1/auth/login', { username: 'nobody-at-all', password: 'not-the-password' })).status).toBe(401);
    const refreshed = await t.http.post('/api/v1/auth/refresh', undefined, { token: admin.refresh_token });
    expect(refreshed.status).toBe(200);
    // The spent token again: theft detected, the session ends.
    expect((await t.http.post('/api/v1/auth/refresh', undefined, { token: admin.refresh_token })).body.error).toBe('REFRESH_TOKEN_REUSED');

    // That ended the session: sign in again to administer.
    const adminToken = (await login(t.http, ADMIN.username, ADMIN.password)).access_token;
    const svc = await registerClient(t.http, adminToken, {
      name: 'Metrics job',
      type: 'confidential',
      grant_types: ['client_credentials'],
    });
    const config = await discover(t.url, svc);
    expect((await client.clientCredentialsGrant(config)).access_token).toBeTruthy();
    await expect(client.clientCredentialsGrant(await discover(t.url, { ...svc, client_secret: 'wrong-secret' }))).rejects.toThrow();
    // A user id in the URL must not become a label value.
    const id = admin.user.id;
    expect((await t.http.get(`/api/v1/users/${id}`, { token: adminToken })).status).toBe(200);

    const after = await scrape();
    const moved = (name: string, labels: Record<string, string> = {}) => count(after, name, labels) - count(before, name, labels);
    expect(moved('authcentre_logins_total', { outcome: 'success' })).toBe(2);
    expect(moved('authcentre_logins_total', { outcome: 'bad_credentials' })).toBe(2);
    expect(moved('authcentre_token_refreshes_total', { outcome: 'success' })).toBe(1);
    expect(moved('authcentre_token_refreshes_total', { outcome: 'reused' })).toBe(1);
    expect(moved('authcentre_refresh_reuse_detections_total')).toBe(1);
    expect(moved('authcentre_oauth_grants_total', { grant_type: 'client_credentials', outcome: 'success' })).toBe(1);
    expect(moved('authcentre_oauth_grants_total', { grant_type: 'client_credentials', outcome: 'invalid_client' })).toBe(1);

    const route = (r: string, method: string, status_class: string) =>
      count(after, 'authcentre_http_request_duration_seconds_count', { route: r, method, status_class });
    expect(route('/api/v1/auth/login', 'POST', '2xx')).toBeGreaterThanOrEqual(1);
    expect(route('/api/v1/auth/login', 'POST', '4xx')).toBeGreaterThanOrEqual(2);
    expect(route('/api/v1/auth/refresh', 'POST', '4xx')).toBeGreaterThanOrEqual(1);
    expect(route('/api/v1/users/:id', 'GET', '2xx')).toBe(1);
    // /oauth2 is handed to oidc-provider under one wildcard route; still timed.
    expect(route('/oauth2/*', 'POST', '2xx') + route('/oauth2/token', 'POST', '2xx')).toBeGreaterThanOrEqual(1);
    expect(after).not.toContain(id);
    expect(
      sample(after, 'authcentre_http_request_duration_seconds_bucket', {
        route: '/api/v1/auth/login',
        method: 'POST',
        status_class: '2xx',
        le: '+Inf',
      }),
    ).toBeGreaterThanOrEqual(1);

    // Three hashes (two verifies, a dummy for the unknown name) waited 0 s: a free pool.
    expect(moved('authcentre_hash_pool_wait_seconds_count')).toBeGreaterThanOrEqual(3);
    expect(sample(after, 'authcentre_hash_pool_queue_depth')).toBe(0);
    expect(sample(after, 'authcentre_hash_pool_size')).toBeGreaterThanOrEqual(1);
    // The session and access caches were asked on every authenticated request.
    expect(after).toMatch(/authcentre_cache_requests_total\{cache="[^"]+",result="hit"\} \d+/);
    expect(after).toMatch(/authcentre_cache_hit_ratio\{cache="[^"]+"\} [\d.]+/);
    // prom-client's default process metrics.
    expect(sample(after, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(after).toContain('nodejs_eventloop_lag_seconds');
    // SQLite has no pool, and there is no Redis here: those are left out, not reported as 0.
    if (DB === 'sqlite') expect(after).not.toContain('authcentre_db_pool_connections{');
    else {
      // mysql2's pool: DB_POOL_SIZE (10) at most, some connections made, none waiting now.
      expect(sample(after, 'authcentre_db_pool_connections', { state: 'max' })).toBe(10);
      expect(sample(after, 'authcentre_db_pool_connections', { state: 'idle' })).toBeGreaterThanOrEqual(1);
      expect(sample(after, 'authcentre_db_pool_waiting')).toBe(0);
    }
    expect(after).not.toContain('authcentre_redis_up ');
  });

  it('has every metric the Grafana dashboard (docker/grafana/dashboards/authcentre.json) queries', async () => {
    const dashboard = JSON.parse(readFileSync('docker/grafana/dashboards/authcentre.json', 'utf8')) as {
      panels: { targets?: { expr: string }[] }[];
    };
    const queried = new Set(
      dashboard.panels.flatMap((p) =>
        (p.targets ?? []).flatMap((q) => [...q.expr.matchAll(/\b((?:authcentre|process|nodejs)_[a-z0-9_]+)/g)].map((m) => m[1])),
      ),
    );
    const text = await scrape();
    // Absent here by design: no database pool on SQLite, no Redis without REDIS_URL.
    const elsewhere = new Set(['authcentre_db_pool_connections', 'authcentre_db_pool_waiting', 'authcentre_redis_up']);
    const missing = [...queried].filter((name) => !elsewhere.has(name) && !new RegExp(`^${name}(\\{| )`, 'm').test(text));
    expect(missing).toEqual([]);
    expect(queried.size).toBeGreaterThan(10);
  });

  it('counts lockouts', async () => {
    const before = sample(await scrape(), 'authcentre_lockouts_total') ?? 0;
    const locked = await startApp({ LOGIN_MAX_FAILURES: '2', METRICS_PORT: String(await freePort()) }, undefined);
    try {
      const url = `http://127.0.0.1:${locked.config.metrics.port}/metrics`;
      for (let i = 0; i < 3; i++) await locked.http.post('/api/v1/auth/login', { username: 'locked-name', password: 'wrong-password' });
      const text = await (await fetch(url)).text();
      expect(sample(text, 'authcentre_lockouts_total')).toBe(1);
      expect(sample(text, 'authcentre_logins_total', { outcome: 'locked' })).toBe(1);
      expect(sample(text, 'authcentre_logins_total', { outcome: 'bad_credentials' })).toBe(2);
    } finally {
      await locked.close();
    }
    // Each app has its own registry.
    expect(sample(await scrape(), 'authcentre_lockouts_total') ?? 0).toBe(before);
  });

  it('reports the Redis link: 1 while usable, 0 while the database answers alone', async () => {
    const redis = await startRedis();
    const port = await freePort();
    const shared = await startApp({ REDIS_URL: redis.url, METRICS_PORT: String(port) });
    const redisUp = async () => sample(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text(), 'authcentre_redis_up');
    const until = async (want: number) => {
      const deadline = Date.now() + 10_000;
      while ((await redisUp()) !== want && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      return redisUp();
    };
    try {
      expect(await until(1)).toBe(1);
      await redis.stop();
      expect(await until(0)).toBe(0);
    } finally {
      await shared.close();
      await redis.destroy();
    }
  });

  it('serves nothing else on the metrics port, and no /metrics on the app port', async () => {
    expect((await fetch(metricsUrl.replace('/metrics', '/'))).status).toBe(404);
    expect((await fetch(metricsUrl, { method: 'POST' })).status).toBe(405);
    const onApp = await t.http.get('/metrics');
    expect(onApp.status).toBe(404);
    expect(onApp.text).not.toContain('authcentre_');
  });

  it('is off by default: no port is opened and the features report to nothing', async () => {
    const plain = await startApp();
    try {
      expect(plain.config.metrics.port).toBeUndefined();
      expect((await plain.http.get('/metrics')).status).toBe(404);
      expect(() => plain.app.get(AuthMetrics)).toThrow();
      expect((await plain.http.post('/api/v1/auth/login', { username: ADMIN.username, password: ADMIN.password })).status).toBe(200);
    } finally {
      await plain.close();
    }
  });
});
