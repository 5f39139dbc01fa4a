/**
 * The layering rules, checked in CI (`npm run lint:deps`):
 * - only src/api speaks HTTP: nothing else under src/ imports src/api, hono or @hono/* (the top-level
 *   composition files src/main.ts, src/start.ts and src/server.ts wire the API into the process);
 * - no cycles between the folders under src/: a folder may use another, not the other way round too.
 *
 * Known folder cycles that are being removed are listed below as edges (from folder -> to folders):
 * CI fails on any other cycle edge. depcruise's --ignore-known baseline does not cover folder-scope
 * rules (17.4), hence the list here. Delete an edge once its cycle is gone.
 */
const knownFolderCycleEdges = {
  // answers -> search/embedding through answers/events.ts (answersChanged): the engine rewrite removes it.
  'src/answers': ['src/search', 'src/embedding'],
  'src/search': ['src/answers', 'src/embedding', 'src/metrics'],
  'src/embedding': ['src/answers', 'src/metrics'],
  // metrics/watch.ts reads the embedding queue and the search log's tallies, while embedding/ and
  // search/ record metrics: watchServices could take what it reads as arguments instead.
  'src/metrics': ['src/embedding', 'src/search'],
};

const folder = (name) => `^${name.replace(/[/.]/g, '\\$&')}$`;
const anyOf = (names) => `^(${names.map((n) => n.replace(/[/.]/g, '\\$&')).join('|')})$`;

module.exports = {
  forbidden: [
    {
      name: 'http-only-in-api',
      severity: 'error',
      comment: 'Domain code throws DomainError (src/errors.ts); src/api maps it to HTTP. Nothing outside src/api imports the API layer or Hono.',
      from: { path: '^src/[^/]+/', pathNot: '^src/api/' },
      to: { path: ['^src/api/', 'node_modules/(hono|@hono)/'] },
    },
    {
      name: 'no-folder-cycles',
      severity: 'error',
      comment: 'Folders under src/ depend on each other one way only.',
      scope: 'folder',
      from: { path: '^src/', pathNot: anyOf(Object.keys(knownFolderCycleEdges)) },
      to: { circular: true },
    },
    ...Object.entries(knownFolderCycleEdges).map(([from, known]) => ({
      name: 'no-folder-cycles',
      severity: 'error',
      comment: `Folders under src/ depend on each other one way only (known cycle edges from ${from}: ${known.join(', ')}).`,
      scope: 'folder',
      from: { path: folder(from) },
      to: { circular: true, pathNot: anyOf(known) },
    })),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
