/**
 * The layers of src/ (docs/architecture.md), checked on every `npm test` by
 * `npm run lint:deps`. From the bottom up; a folder imports only folders of a lower rank.
 * The app root (main.ts, app.*.ts, openapi*.ts), database/ (the one DataSource, its
 * entity list, migrations and seeds) and openapi/ (the document builder, which reads the
 * metadata of every route) wire everything together and may import anything.
 */
const LAYERS = [
  ['config'],
  ['common'],
  ['state', 'mail', 'pages'],
  ['authz'],
  ['audit'],
  ['permissions'],
  ['roles'],
  ['credentials', 'sessions', 'keys'],
  ['users', 'clients'],
  ['mfa'],
  ['auth'],
  ['oauth', 'account-pages', 'health', 'metrics'],
  ['cli'],
];

const folder = (names) => `^src/(${names.join('|')})/`;

const upward = LAYERS.flatMap((layer, rank) => {
  const higher = LAYERS.slice(rank + 1).flat();
  const rules = [];
  if (higher.length) {
    rules.push({
      name: `no-upward-from-${layer.join('-')}`,
      comment: `${layer.join(', ')} may only import lower layers (see docs/architecture.md)`,
      severity: 'error',
      from: { path: folder(layer) },
      to: { path: folder(higher) },
    });
  }
  // Folders of one rank are siblings: neither imports the other.
  for (const name of layer) {
    const siblings = layer.filter((n) => n !== name);
    if (siblings.length) {
      rules.push({
        name: `no-sibling-from-${name}`,
        comment: `${name} and ${siblings.join(', ')} are siblings: neither imports the other`,
        severity: 'error',
        from: { path: `^src/${name}/` },
        to: { path: folder(siblings) },
      });
    }
  }
  return rules;
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A cycle means two modules cannot be understood (or loaded) one without the other.',
      severity: 'error',
      from: {},
      to: { circular: true, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'base-knows-no-feature',
      comment: 'config and common are the bottom: they import nothing else of src/.',
      severity: 'error',
      from: { path: '^src/(config|common)/' },
      to: { path: '^src/', pathNot: ['^src/(config|common)/'] },
    },
    {
      name: 'nothing-imports-the-root',
      comment: 'The app root and database/ wire the features together; no feature imports them.',
      severity: 'error',
      from: { path: '^src/[^/]+/', pathNot: ['^src/(database|openapi)/'] },
      to: { path: ['^src/[^/]+\\.ts$', '^src/(database|openapi)/'] },
    },
    ...upward,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^dist/', '^node_modules/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
