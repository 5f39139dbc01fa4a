/**
 * The layering rules, checked in CI (`npm run lint:deps`):
 * - only src/api speaks HTTP: nothing else under src/ imports src/api, hono or @hono/* (the top-level
 *   composition files src/main.ts, src/start.ts and src/server.ts wire the API into the process);
 * - no cycles between the folders under src/: a folder may use another, not the other way round too.
 *
 * Known folder cycles that are being removed are listed below as edges (from folder -> to folders):
 * An edge names a folder and its sub-folders. CI fails on any other cycle edge. depcruise's --ignore-known baseline does not cover folder-scope
 * rules (17.4), hence the list here. Delete an edge once its cycle is gone.
 */
const knownFolderCycleEdges = {
  // answers -> search/embedding through answers/events.ts (answersChanged): the engine rewrite removes it.
  'src/answers': ['src/search', 'src/embedding'],
  'src/search': ['src/answers', 'src/embedding'],
  'src/embedding': ['src/answers'],
};

// A folder and its sub-folders (src/search covers src/search/engine).
const folder = (name) => anyOf([name]);
const anyOf = (names) => `^(${names.join('|')})(/|$)`;

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
      // (edges between a folder and its own sub-folders are the folder's own business)
      to: { circular: true, pathNot: anyOf([from, ...known]) },
    })),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
