import type { TestProject } from 'vitest/node';
import { startMariaDb, type MariaDbHandle } from './mariadb.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mariadb: { host: string; port: number; user: string; password: string };
  }
}

let server: (MariaDbHandle & { destroy?: () => Promise<void> }) | undefined;

/**
 * Starts one real MariaDB server for the whole MySQL run; each test file creates its
 * own database in it. A missing `mariadbd` fails the run (never a silent skip).
 */
export async function setup(project: TestProject): Promise<void> {
  server = await startMariaDb();
  project.provide('mariadb', { host: server.host, port: server.port, user: server.user, password: server.password });
}

export async function teardown(): Promise<void> {
  if (server?.destroy) await server.destroy();
  else await server?.stop();
}
