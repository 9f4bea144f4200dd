/**
 * A real Redis server for end-to-end tests, run as a plain child process with
 * no persistence, in a temporary working folder (no Docker, no system service).
 *
 *   const redis = await startRedis();   // redis.url === 'redis://127.0.0.1:PORT'
 *   await redis.stop(); await redis.start();   // fault tests: same port, data is lost
 *   await redis.destroy();
 */
import { connect } from 'node:net';
import type { ChildProcess } from 'node:child_process';
import { freePort } from './ports.js';
import { createTempRoot, findExecutable, isRunning, OutputTail, removeTempRoot, sleep, spawnServer, stopChild } from './child.js';

export const REDIS_INSTALL_HINT = 'redis-server not found: install it with "apt-get install -y redis-server" (Debian) — .ci/run does this';

const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 10_000;

export interface RedisHandle {
  /** redis://127.0.0.1:PORT */
  url: string;
  port: number;
  /** SIGTERM the server and wait for it to exit (SIGKILL after 10 s). Idempotent. */
  stop(): Promise<void>;
  /** Restart on the same port after stop() (empty dataset). No-op if already running. */
  start(): Promise<void>;
  /** stop() and remove the temp folder. Idempotent; the handle is unusable afterwards. */
  destroy(): Promise<void>;
}

/** Locate redis-server in PATH, /usr/sbin, /usr/bin; null if missing. */
export function findRedisBinary(): string | null {
  return findExecutable(['redis-server']);
}

/** Send a raw inline PING over TCP; resolves true iff the reply is +PONG. */
export function redisPing(port: number, host = '127.0.0.1', timeoutMs = 1_000): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    let reply = '';
    let done = false;
    const socket = connect({ host, port });
    const finish = (ok: boolean): void => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('close', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) finish(reply.startsWith('+PONG'));
    });
  });
}

const PORT_IN_USE = /Address already in use/i;

class RedisServer implements RedisHandle {
  port = 0;
  private child: ChildProcess | undefined;
  private readonly out = new OutputTail();
  private stopping: Promise<void> | undefined;
  private destroyed = false;

  constructor(
    private readonly binary: string,
    private readonly dir: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async firstStart(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      this.port = await freePort();
      try {
        await this.start();
        return;
      } catch (err) {
        if (attempt >= 3 || !PORT_IN_USE.test(this.out.tail(200))) throw err;
      }
    }
  }

  async start(): Promise<void> {
    if (this.destroyed) throw new Error('Redis handle was destroyed');
    if (this.stopping) await this.stopping;
    if (isRunning(this.child)) return;
    this.out.clear();
    const child = spawnServer(
      this.binary,
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        this.dir,
        '--daemonize',
        'no',
        '--loglevel',
        'warning',
      ],
      this.out,
      { cwd: this.dir },
    );
    this.child = child;
    const started = Date.now();
    while (Date.now() - started < READY_TIMEOUT_MS) {
      if (!isRunning(child)) {
        throw new Error(
          `redis-server exited during startup (code ${String(child.exitCode)}, signal ${String(child.signalCode)}) on port ${this.port}; output tail:\n${this.out.tail()}`,
        );
      }
      if (await redisPing(this.port)) return;
      await sleep(25);
    }
    await stopChild(child, 2_000);
    throw new Error(
      `redis-server did not answer PING within ${READY_TIMEOUT_MS / 1000} s on port ${this.port}; output tail:\n${this.out.tail()}`,
    );
  }

  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    const child = this.child;
    if (!child || !isRunning(child)) return Promise.resolve();
    this.stopping = stopChild(child, STOP_GRACE_MS).finally(() => {
      this.stopping = undefined;
    });
    return this.stopping;
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await this.stop();
    await removeTempRoot(this.dir);
  }
}

/** Start redis-server on a free 127.0.0.1 port. Throws REDIS_INSTALL_HINT if it is not installed. */
export async function startRedis(): Promise<RedisHandle> {
  const binary = findRedisBinary();
  if (!binary) throw new Error(REDIS_INSTALL_HINT);
  const dir = await createTempRoot('authcentre-redis-');
  const server = new RedisServer(binary, dir);
  try {
    await server.firstStart();
    return server;
  } catch (err) {
    await server.destroy();
    throw err;
  }
}
