/** @type {import('dependency-cruiser').IConfiguration} */
// The import rules of STYLE.md, checked by `npm run depcruise` (part of `npm test`).
module.exports = {
  forbidden: [
    {
      name: 'no-domain-cycles',
      severity: 'error',
      comment: 'No two domain folders import each other, directly or round about.',
      scope: 'folder',
      from: { path: '^src/[^/]+' },
      to: { circular: true },
    },
    {
      name: 'no-module-cycles',
      severity: 'error',
      comment: 'No file imports itself round about.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-imports-no-domain',
      severity: 'error',
      comment: 'core is what every domain uses, and nothing domain-specific.',
      from: { path: '^src/core/' },
      to: { path: '^src/(?!core/)[^/]+/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
