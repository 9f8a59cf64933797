/**
 * Import rules for src/, checked by `npm run check:imports` and by test/import-rules.test.ts:
 * - no import cycle anywhere (type-only imports count: a cycle of types still ties two files' fates together);
 * - the model layer (architecture as data) never imports a backend;
 * - the library layers (models, backends, schedule, losses, ...) never import the layers that compose them
 *   (operators, graphs, cli, queue, peers, report).
 * A violation names the rule and the import; fix it by moving the shared piece down, not by adding an exception.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle makes load order matter and hides which layer owns what; move the shared piece down.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'models-not-to-backends',
      severity: 'error',
      comment: 'src/models is architecture as data; backends compute it. A model file never imports a backend.',
      from: { path: '^src/models/' },
      to: { path: '^src/backends/' },
    },
    {
      name: 'lower-layers-not-to-compositions',
      severity: 'error',
      comment: 'Libraries do not import the code that composes them (operators, graphs, CLI, queue, peers, report).',
      from: {
        path: '^src/(models|backends|schedule|losses|random|color|tiling|degradation|metrics|text|io|resize|workers)/|^src/(host-tensor|image|frame)[.]ts$',
      },
      to: { path: '^src/(operators|graphs|cli|queue|peers|report)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
