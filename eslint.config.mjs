// ESLint (flat config) with typescript-eslint. Formatting is Prettier's job (`npm run lint`
// runs both); these rules are about correctness.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'test-artifacts/', 'data/', 'examples/**/dist/', 'examples/**/src/api.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Not `consistent-type-imports`: Nest's DI reads constructor parameter types from decorator
      // metadata, which a type-only import would erase.
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read configuration through AppConfig (src/config): nothing else reads process.env.',
        },
      ],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': 'error',
    },
  },
  {
    // Only config reads the environment; tests, the bench and tooling set up processes.
    files: ['src/config/**', 'src/main.ts', 'ormconfig.ts', 'test/**', 'bench/**', 'bin/**', '*.config.*', '*.mjs', '*.cjs'],
    rules: { 'no-restricted-properties': 'off', 'no-console': 'off' },
  },
  {
    // Response bodies in tests are whatever the server sent.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The example frontends run in the browser (they have their own package.json and tsconfig;
    // examples/web is type-checked and built by test/e2e/example-web.e2e-spec.ts).
    files: ['examples/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
