import { describe, expect, it } from 'vitest';
import { AuthMetrics, type MetricSources } from './auth-metrics.js';

const sources = (over: Partial<MetricSources> = {}): MetricSources => ({
  hashPool: () => ({ queued: 3, size: 2 }),
  caches: () => [['sessions', { hits: 3, misses: 1 }]],
  redisConnected: () => null,
  dbPool: () => null,
  ...over,
});

describe('AuthMetrics', () => {
  it('bounds the labels a request can choose: unknown grant types and error codes are folded', async () => {
    const m = new AuthMetrics(sources());
    m.oauthGrant('client_credentials', 'success');
    m.oauthGrant('x'.repeat(500), 'made_up_error');
    m.oauthGrant(undefined, 'invalid_request');
    const text = await m.registry.metrics();
    expect(text).toContain('authcentre_oauth_grants_total{grant_type="client_credentials",outcome="success"} 1');
    expect(text).toContain('authcentre_oauth_grants_total{grant_type="other",outcome="other_error"} 1');
    expect(text).toContain('authcentre_oauth_grants_total{grant_type="none",outcome="invalid_request"} 1');
    expect(text).not.toContain('xxxx');
  });

  it('reads the gauges at scrape time, and leaves out Redis and the pool when there are none', async () => {
    const m = new AuthMetrics(sources());
    m.refresh('reused');
    const text = await m.registry.metrics();
    expect(text).toContain('authcentre_hash_pool_queue_depth 3');
    expect(text).toContain('authcentre_hash_pool_size 2');
    expect(text).toContain('authcentre_cache_requests_total{cache="sessions",result="hit"} 3');
    expect(text).toContain('authcentre_cache_hit_ratio{cache="sessions"} 0.75');
    expect(text).toContain('authcentre_token_refreshes_total{outcome="reused"} 1');
    expect(text).toContain('authcentre_refresh_reuse_detections_total 1');
    expect(text).not.toContain('authcentre_redis_up');
    expect(text).not.toContain('authcentre_db_pool');

    let up = true;
    const withBoth = new AuthMetrics(sources({ redisConnected: () => up, dbPool: () => ({ total: 4, idle: 1, waiting: 2, max: 10 }) }));
    expect(await withBoth.registry.metrics()).toContain('authcentre_redis_up 1');
    up = false;
    const later = await withBoth.registry.metrics();
    expect(later).toContain('authcentre_redis_up 0');
    expect(later).toContain('authcentre_db_pool_connections{state="in_use"} 3');
    expect(later).toContain('authcentre_db_pool_waiting 2');
  });
});
