import { baseEnv, type TestDatabase } from './app.js';
import { Http } from './http.js';
import { freePort } from './ports.js';
import { spawnServer, waitForOk, type Spawned } from './process.js';

/** The external URL of a test cluster (PUBLIC_URL of every instance). */
export const CLUSTER_URL = 'http://authcentre.test';

/** One instance of the built service as its own process. */
export interface Instance {
  name: string;
  url: string;
  http: Http;
  proc: Spawned;
  stop(): Promise<void>;
}

/** Starts the built service as a separate process on `db` (and Redis, when given). */
export async function startInstance(name: string, db: TestDatabase, env: Record<string, string> = {}): Promise<Instance> {
  const port = await freePort();
  // Instances behind one balancer share its external URL: their tokens name one issuer.
  const proc = spawnServer({ ...baseEnv(db), PORT: String(port), NODE_ENV: 'production', PUBLIC_URL: CLUSTER_URL, ...env }, db.dataDir);
  const url = `http://127.0.0.1:${port}`;
  await waitForOk(`${url}/health/ready`, proc, 30_000);
  return {
    name,
    url,
    http: new Http(url),
    proc,
    async stop() {
      if (proc.child.exitCode === null) {
        proc.child.kill('SIGTERM');
        await proc.exited;
      }
    },
  };
}
