import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { OutputTail, spawnServer as spawnChild } from './child.js';

/**
 * The production entry (npm run start:prod, the Docker image): sizes libuv's pool, then loads
 * the bundle of npm run build:prod when present, else dist/src/main.js.
 */
export const ENTRY = resolve('bin/authcentre.cjs');

export interface Spawned {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/**
 * Runs the built server through its production entry as a real process with exactly the env
 * given (plus PATH). Spawned through child.ts, so it dies with the test process. It runs
 * dist/src/main.js, whether or not a bundle exists (the bundle test builds one while others
 * run), unless the env says AUTHCENTRE_ENTRY=bundle.
 */
export function spawnServer(env: Record<string, string>, cwd: string): Spawned {
  const child = spawnChild(process.execPath, [ENTRY], new OutputTail(), {
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', AUTHCENTRE_ENTRY: 'dist', ...env },
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Polls a URL until it answers 200 (or the process dies, or time runs out). */
export async function waitForOk(url: string, proc: Spawned, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let dead = false;
  void proc.exited.then(() => (dead = true));
  while (Date.now() < deadline) {
    if (dead) throw new Error(`server exited early:\n${proc.stderr()}\n${proc.stdout().slice(-2000)}`);
    try {
      const res = await fetch(url);
      if (res.status === 200) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server did not become ready at ${url}:\n${proc.stderr()}`);
}
