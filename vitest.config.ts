import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

/**
 * Three projects: unit specs beside the code, and the end-to-end suite twice — on a
 * temp SQLite file and on a real MariaDB server that the global setup starts.
 * SWC compiles the tests because Nest's DI needs `emitDecoratorMetadata`.
 */
const e2e = (name: string, db: 'sqlite' | 'mysql', globalSetup: string[]) => ({
  extends: true as const,
  test: {
    name,
    // *.mysql.e2e-spec.ts need the MariaDB server (several instances on one database, faults).
    include: db === 'sqlite' ? ['test/e2e/**/*.e2e-spec.ts', 'test/support/**/*.e2e-spec.ts'] : ['test/e2e/**/*.e2e-spec.ts'],
    exclude: db === 'sqlite' ? ['test/e2e/**/*.mysql.e2e-spec.ts', '**/node_modules/**'] : ['**/node_modules/**'],
    env: { TEST_DB: db },
    globalSetup,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: {
    pool: 'forks',
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['src/**/*.spec.ts', 'test/unit/**/*.spec.ts'] },
      },
      e2e('e2e-sqlite', 'sqlite', ['test/support/global-setup.ts']),
      e2e('e2e-mysql', 'mysql', ['test/support/global-setup.ts', 'test/support/global-mariadb.ts']),
    ],
  },
});
