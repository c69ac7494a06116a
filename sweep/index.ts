// The sweep engine's public surface: parallel sweeps, shards, repros, merge.
export { runSweep, loadPlanScenarios, DEFAULT_KEEP_FAILURES, type SweepEngineOptions, type SweepOutcome, type SweepProgress, type SweptRun, type ScenarioTally, type InvariantTally } from './engine.ts';
export { plannedRuns, batches, defaultBatchSize, type SweepPlan, type Batch } from './plan.ts';
export { parseShard, formatShard, inShard, seedsInShard, type Shard } from './shard.ts';
export { writeRepros, saveToCorpus, reproFileName, DEFAULT_SHRINK_RUNS, type WrittenRepro, type ReproOptions } from './repros.ts';
export { mergeReports, mergeReportDirs, type ShardReport } from './merge.ts';
export { SweepRunError, type RunOutcome } from './batch-runner.ts';
export { sweepAndReport, type SweepReportOptions, type SweepReport } from './sweep-report.ts';
