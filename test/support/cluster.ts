import { baseEnv, type TestDatabase } from './app.js';
import { Http } from './http.js';
import { freePort } from './ports.js';
import { spawnServer, waitForOk, type Spawned } from './process.js';

/** One instance of the built service as its own process. */
export interface Instance {
  name: string;
  url: string;
  http: Http;
  proc: Spawned;
  stop(): Promise<void>;
}

/** The address of the (imagined) load balancer in front of every instance a test starts. */
export const CLUSTER_PUBLIC_URL = 'http://authcentre.test';

/** Starts the built service as a separate process on `db` (and Redis, when given). */
export async function startInstance(name: string, db: TestDatabase, env: Record<string, string> = {}): Promise<Instance> {
  const port = await freePort();
  // Instances behind one load balancer share its public URL, and with it the token issuer
  // (PUBLIC_URL/oauth2); left out, each would default to its own port and refuse the others' tokens.
  const proc = spawnServer(
    { ...baseEnv(db), PUBLIC_URL: CLUSTER_PUBLIC_URL, PORT: String(port), NODE_ENV: 'production', ...env },
    db.dataDir,
  );
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
