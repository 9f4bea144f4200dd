#!/usr/bin/env node
'use strict';
/**
 * The production entry: `node bin/authcentre.cjs` (npm run start:prod, the Docker image, the
 * benchmark). It sizes libuv's thread pool, then starts the service: the bundle of
 * `npm run build:prod` (dist/bundle/main.mjs) when present, else dist/src/main.js.
 *
 * Password hashes run on that pool (argon2 and bcrypt are native addons using it). Its size is
 * fixed the first time Node uses it, which is before the first line of an ES module entry
 * runs, hence this small CommonJS entry. One thread per hash slot (HASH_POOL_SIZE, default one
 * per core): measured on 2 cores, 2 hashes rotating over libuv's default 4 threads verify 11 %
 * slower than over 2, and glibc keeps one 19 MiB argon2 block per thread that ever hashed.
 * Set UV_THREADPOOL_SIZE yourself to override.
 */
const { availableParallelism } = require('node:os');

if (!process.env.UV_THREADPOOL_SIZE) {
  const hashPool = Number(process.env.HASH_POOL_SIZE) || availableParallelism();
  process.env.UV_THREADPOOL_SIZE = String(Math.max(1, hashPool));
}

/**
 * The event loop before the hashes (Linux): the threads started after this file runs —
 * libuv's pool, which hashes passwords, started on its first use (and any worker thread) —
 * run HASH_THREAD_NICE nice levels below the rest (default 0: off, until a quiet machine
 * has shown it helps; `node bench/run.mjs --env HASH_THREAD_NICE=10` measures it). The threads that exist
 * already (the main thread, V8's garbage-collector and compiler threads) keep their priority.
 * While logins keep every core hashing, a request's turn on the event loop then waits for no
 * hash (docs/performance.md: the /users/me p99 during a login storm); on an otherwise idle
 * machine the hashes still get every cycle the loop leaves. Node 20 does not name libuv's
 * threads and starts them lazily, so new threads are looked for every 2 s.
 */
function lowerHashingThreads() {
  const step = Number(process.env.HASH_THREAD_NICE ?? 0);
  if (process.platform !== 'linux' || !(step > 0)) return;
  const { readdirSync } = require('node:fs');
  const { getPriority, setPriority } = require('node:os');
  const tasks = () => {
    try {
      return readdirSync('/proc/self/task');
    } catch {
      return [];
    }
  };
  const nice = Math.min(19, getPriority() + step);
  const seen = new Set(tasks());
  const sweep = () => {
    for (const tid of tasks()) {
      if (seen.has(tid)) continue;
      seen.add(tid);
      try {
        setPriority(Number(tid), nice); // on Linux a thread id names that one thread
      } catch {
        /* gone meanwhile, or not permitted */
      }
    }
  };
  setTimeout(sweep, 200).unref();
  setInterval(sweep, 2000).unref();
}
lowerHashingThreads();

// The bundled build (npm run build:prod, scripts/bundle.mjs) when it is there: less code to
// load, so less memory (docs/performance.md); else the plain build of `nest build`.
// AUTHCENTRE_ENTRY=dist or =bundle chooses one (the tests use both).
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const bundle = join(__dirname, '..', 'dist', 'bundle', 'main.mjs');
const plain = join(__dirname, '..', 'dist', 'src', 'main.js');
const choice = process.env.AUTHCENTRE_ENTRY;
if (choice && choice !== 'dist' && choice !== 'bundle') {
  process.stderr.write(`AUTHCENTRE_ENTRY must be "dist" or "bundle", got "${choice}"\n`);
  process.exit(1);
}
const entry = choice === 'dist' ? plain : choice === 'bundle' || existsSync(bundle) ? bundle : plain;

import(require('node:url').pathToFileURL(entry).href).catch((err) => {
  process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
