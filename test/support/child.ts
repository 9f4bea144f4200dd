/**
 * Shared helpers for the test-server launchers (mariadb.ts, redis.ts):
 * binary lookup, temp folders, output capture, graceful stop, and last-resort
 * cleanup when the test process goes away without calling destroy().
 */
import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process';
import { accessSync, constants as fsConstants, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export { sleep };

/** Keeps the last `max` characters written by a child process (stdout + stderr). */
export class OutputTail {
  private buf = '';
  constructor(private readonly max = 8_000) {}

  push(chunk: Buffer | string): void {
    this.buf += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    if (this.buf.length > this.max) this.buf = this.buf.slice(-this.max);
  }

  tail(lines = 30): string {
    return this.buf.trimEnd().split('\n').slice(-lines).join('\n');
  }

  clear(): void {
    this.buf = '';
  }
}

// ---------------------------------------------------------------------------
// Cleanup when the test process goes away without calling stop()/destroy():
//  1. Servers are exec'd through `setpriv --pdeathsig SIGKILL` (util-linux,
//     Linux only) when available, so the kernel kills them even if the Node
//     process (strictly: the thread that spawned them) is SIGKILLed.
//  2. On 'exit' and on SIGTERM/SIGINT/SIGHUP (vitest stops its fork workers
//     with SIGTERM, which skips 'exit'), live servers are SIGKILLed and temp
//     folders removed synchronously; the signal is then re-raised if nobody
//     else listens for it, so the default "terminate" behaviour is kept.
//  3. Each temp folder records its owner's pid; createTempRoot() sweeps
//     folders of the same prefix whose owner is dead (left by a SIGKILL).
// ---------------------------------------------------------------------------
const liveChildren = new Set<ChildProcess>();
/** Process groups of short-lived helper commands (e.g. mariadb-install-db and its bootstrap mariadbd). */
const liveGroups = new Set<number>();
const tempDirs = new Set<string>();
let hooksInstalled = false;
const CLEANUP_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

function cleanupNow(): void {
  for (const child of liveChildren) {
    try {
      child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
  liveChildren.clear();
  for (const pgid of liveGroups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  liveGroups.clear();
  for (const dir of tempDirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      /* best effort */
    }
  }
  tempDirs.clear();
}

function onCleanupSignal(signal: NodeJS.Signals): void {
  cleanupNow();
  for (const s of CLEANUP_SIGNALS) process.removeListener(s, onCleanupSignal);
  // Keep the default behaviour (terminate) unless someone else handles the signal.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', cleanupNow);
  for (const s of CLEANUP_SIGNALS) process.on(s, onCleanupSignal);
}

const OWNER_FILE = 'owner.pid';

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Remove `<tmpdir>/<prefix>*` folders whose owner process is gone. Best effort. */
function sweepStale(prefix: string): void {
  let names: string[];
  try {
    names = readdirSync(tmpdir());
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const dir = join(tmpdir(), name);
    try {
      const pid = Number(readFileSync(join(dir, OWNER_FILE), 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !pidAlive(pid)) {
        rmSync(dir, { recursive: true, force: true });
      }
    } catch {
      /* no owner file (not ours, or being created): leave it */
    }
  }
}

/**
 * mkdtemp `<tmpdir>/<prefix>XXXXXX`, stamped with this process's pid and
 * removed on exit/signal unless removeTempRoot() is called first.
 */
export async function createTempRoot(prefix: string): Promise<string> {
  installHooks();
  sweepStale(prefix);
  const dir = await mkdtemp(join(tmpdir(), prefix));
  tempDirs.add(dir);
  await writeFile(join(dir, OWNER_FILE), `${process.pid}\n`);
  return dir;
}

export async function removeTempRoot(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

export function isRunning(child: ChildProcess | undefined): boolean {
  return child !== undefined && child.exitCode === null && child.signalCode === null;
}

let setprivPath: string | null | undefined;

/**
 * Spawn a long-running server: output goes to `tail`, the child is tracked for
 * the cleanup hooks (and gets a parent-death SIGKILL via setpriv when
 * available), and an 'error' event (e.g. ENOENT) is recorded into the tail
 * instead of crashing the test process.
 */
export function spawnServer(command: string, args: readonly string[], tail: OutputTail, options: SpawnOptions = {}): ChildProcess {
  installHooks();
  if (setprivPath === undefined) setprivPath = process.platform === 'linux' ? findExecutable(['setpriv']) : null;
  const [file, argv] = setprivPath ? [setprivPath, ['--pdeathsig', 'SIGKILL', '--', command, ...args]] : [command, [...args]];
  const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  liveChildren.add(child);
  child.stdout?.on('data', (c: Buffer) => tail.push(c));
  child.stderr?.on('data', (c: Buffer) => tail.push(c));
  child.on('error', (err) => tail.push(`\n[spawn error] ${err.message}\n`));
  child.once('exit', () => liveChildren.delete(child));
  return child;
}

/** Resolves when the child has exited (immediately if it already has). */
export function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (!isRunning(child)) return Promise.resolve(true);
  return new Promise<boolean>((resolve) => {
    const onExit = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, timeoutMs);
    child.once('exit', onExit);
  });
}

/** SIGTERM, wait up to `graceMs`, then SIGKILL. Safe to call on a dead child. */
export async function stopChild(child: ChildProcess | undefined, graceMs = 10_000): Promise<void> {
  if (!child || !isRunning(child)) return;
  child.kill('SIGTERM');
  if (await waitForExit(child, graceMs)) return;
  child.kill('SIGKILL');
  await waitForExit(child, 5_000);
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Run a short-lived command to completion, capturing its output. Never rejects
 * on non-zero exit. It runs in its own process group so the cleanup hooks can
 * kill it together with anything it spawned.
 */
export function run(command: string, args: readonly string[], timeoutMs = 60_000): Promise<RunResult> {
  installHooks();
  return new Promise<RunResult>((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const pgid = child.pid;
    if (pgid !== undefined) liveGroups.add(pgid);
    const timer = setTimeout(() => {
      if (pgid !== undefined) {
        try {
          process.kill(-pgid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    }, timeoutMs);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const done = (): void => {
      clearTimeout(timer);
      if (pgid !== undefined) liveGroups.delete(pgid);
    };
    child.once('error', (err) => {
      done();
      reject(err);
    });
    child.once('close', (code) => {
      done();
      resolve({ code, stdout, stderr });
    });
  });
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, fsConstants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Search PATH plus the usual sbin/bin folders for the first executable of `names`. */
export function findExecutable(names: readonly string[]): string | null {
  const pathDirs = (process.env.PATH ?? '').split(delimiter).filter((d) => d.length > 0);
  const dirs = [...new Set([...pathDirs, '/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin'])];
  for (const name of names) {
    for (const dir of dirs) {
      const candidate = join(dir, name);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return null;
}
