// What defineScenario checks when a scenario module loads, as a module with no
// imports: a sweep's worker thread changes it before it loads any scenario.

/**
 * Whether defineScenario runs a scripted scenario's steps once to prove they can act (see dryRun in define.ts). A
 * sweep's worker threads turn it off: the sweep's own thread loaded the same definitions, and ran their dry runs,
 * before it started them, and each dry run is a whole run in cold code on the worker's start-up, which the sweep waits
 * for.
 */
export const definitionChecks = { dryRunScripts: true };
