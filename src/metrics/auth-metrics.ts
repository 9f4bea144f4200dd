import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CacheStats } from '../common/cache/state-cache.js';
import type { LoginOutcome, RefreshOutcome, TelemetrySink } from '../common/telemetry/telemetry.js';

/** What the metrics read at each scrape (pull, not push: nothing is counted on the request path for these). */
export interface MetricSources {
  /** Hashes waiting for a slot now, and how many may run at once. */
  hashPool(): { queued: number; size: number };
  /** Hit and miss counts per cache namespace. */
  caches(): Iterable<[string, CacheStats]>;
  /** Whether Redis is usable now; null without Redis (then the metric is left out). */
  redisConnected(): boolean | null;
  /** The database pool (MySQL/MariaDB); null when there is none (SQLite). */
  dbPool(): { total: number; idle: number; waiting: number; max: number } | null;
}

/**
 * Grant types counted by name; anything else a client sends is `other`, so a request cannot
 * make a new time series. (`grant_type` is the client's text.)
 */
const GRANT_TYPES = new Set([
  'authorization_code',
  'client_credentials',
  'refresh_token',
  'password',
  'urn:authcentre:params:oauth:grant-type:mfa-otp',
  'urn:ietf:params:oauth:grant-type:device_code',
  'urn:ietf:params:oauth:grant-type:token-exchange',
]);

/** The OAuth error codes of RFC 6749 §5.2 and the few more oidc-provider answers a token request with. */
const GRANT_OUTCOMES = new Set([
  'success',
  'error',
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'invalid_target',
  'invalid_dpop_proof',
  'server_error',
  'temporarily_unavailable',
  'access_denied',
  'authorization_pending',
  'slow_down',
  'expired_token',
]);

/** Seconds. From a cache hit (under a millisecond) to a slow database write or a queued hash. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Seconds a hash waits for a slot: 0 when the pool is free, multiples of ~22 ms (one argon2id) under load. */
const WAIT_BUCKETS = [0, 0.005, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The service's Prometheus metrics (docs/operations.md lists them), in a registry of their
 * own (not prom-client's global one: several apps may share a test process). Counters the
 * features bump go through `Telemetry` (this is its sink); gauges are read from their
 * sources at each scrape.
 */
export class AuthMetrics implements TelemetrySink {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'route' | 'method' | 'status_class'>;
  private readonly logins: Counter<'outcome'>;
  private readonly lockouts: Counter;
  private readonly refreshes: Counter<'outcome'>;
  private readonly reuses: Counter;
  private readonly grants: Counter<'grant_type' | 'outcome'>;
  private readonly hashWaits: Histogram;

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });

    this.httpDuration = new Histogram({
      name: 'authcentre_http_request_duration_seconds',
      help: 'HTTP requests on the app port by route template, method and status class, in seconds',
      labelNames: ['route', 'method', 'status_class'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.logins = new Counter({
      name: 'authcentre_logins_total',
      help: 'Sign-in attempts at every door (API, hosted page, password grant) by outcome',
      labelNames: ['outcome'],
      registers,
    });
    this.lockouts = new Counter({
      name: 'authcentre_lockouts_total',
      help: 'Login names locked after LOGIN_MAX_FAILURES failures',
      registers,
    });
    this.refreshes = new Counter({
      name: 'authcentre_token_refreshes_total',
      help: 'Refreshes at POST /api/v1/auth/refresh by outcome',
      labelNames: ['outcome'],
      registers,
    });
    this.reuses = new Counter({
      name: 'authcentre_refresh_reuse_detections_total',
      help: 'Spent refresh tokens presented again (theft detected; the session was ended)',
      registers,
    });
    this.grants = new Counter({
      name: 'authcentre_oauth_grants_total',
      help: 'Token requests at /oauth2/token by grant type and outcome (success or the OAuth error code)',
      labelNames: ['grant_type', 'outcome'],
      registers,
    });
    this.hashWaits = new Histogram({
      name: 'authcentre_hash_pool_wait_seconds',
      help: 'Time a password hash waited for a slot of the hashing pool, in seconds',
      buckets: WAIT_BUCKETS,
      registers,
    });
    new Gauge({
      name: 'authcentre_hash_pool_queue_depth',
      help: 'Password hashes waiting for a slot of the hashing pool',
      registers,
      collect() {
        this.set(sources.hashPool().queued);
      },
    });
    new Gauge({
      name: 'authcentre_hash_pool_size',
      help: 'Password hashes that may run at once (HASH_POOL_SIZE)',
      registers,
      collect() {
        this.set(sources.hashPool().size);
      },
    });
    new Counter({
      name: 'authcentre_cache_requests_total',
      help: 'Lookups of the fast-path caches by cache and result (hit: from memory; miss: loaded from the database)',
      labelNames: ['cache', 'result'],
      registers,
      collect() {
        this.reset();
        for (const [cache, stats] of sources.caches()) {
          this.inc({ cache, result: 'hit' }, stats.hits);
          this.inc({ cache, result: 'miss' }, stats.misses);
        }
      },
    });
    new Gauge({
      name: 'authcentre_cache_hit_ratio',
      help: 'Hits per lookup of each fast-path cache since start (use rate() of authcentre_cache_requests_total for a window)',
      labelNames: ['cache'],
      registers,
      collect() {
        this.reset();
        for (const [cache, stats] of sources.caches()) {
          const lookups = stats.hits + stats.misses;
          if (lookups > 0) this.set({ cache }, stats.hits / lookups);
        }
      },
    });
    // Without Redis, or on SQLite, these are left out (a label-less gauge would read 0: "down").
    if (sources.redisConnected() !== null) {
      new Gauge({
        name: 'authcentre_redis_up',
        help: 'Whether the Redis connection is usable (1) or the database answers alone (0); absent without REDIS_URL',
        registers,
        collect() {
          this.set(sources.redisConnected() ? 1 : 0);
        },
      });
    }
    if (sources.dbPool() !== null) {
      new Gauge({
        name: 'authcentre_db_pool_connections',
        help: 'Database pool connections by state (in_use, idle), and the pool limit (max); absent on SQLite',
        labelNames: ['state'],
        registers,
        collect() {
          const pool = sources.dbPool();
          if (!pool) return;
          this.set({ state: 'in_use' }, Math.max(0, pool.total - pool.idle));
          this.set({ state: 'idle' }, pool.idle);
          this.set({ state: 'max' }, pool.max);
        },
      });
      new Gauge({
        name: 'authcentre_db_pool_waiting',
        help: 'Queries waiting for a database connection; absent on SQLite',
        registers,
        collect() {
          this.set(sources.dbPool()?.waiting ?? 0);
        },
      });
    }
  }

  login(outcome: LoginOutcome): void {
    this.logins.inc({ outcome });
  }

  lockout(): void {
    this.lockouts.inc();
  }

  refresh(outcome: RefreshOutcome): void {
    this.refreshes.inc({ outcome });
    if (outcome === 'reused') this.reuses.inc();
  }

  oauthGrant(grantType: string | undefined, outcome: string): void {
    this.grants.inc({
      grant_type: grantType === undefined ? 'none' : GRANT_TYPES.has(grantType) ? grantType : 'other',
      outcome: GRANT_OUTCOMES.has(outcome) ? outcome : 'other_error',
    });
  }

  hashWait(seconds: number): void {
    this.hashWaits.observe(seconds);
  }
}
