// A sweep worker thread: loads the scenarios (by name or by path, as the user
// gave them), then runs each batch it is sent and posts the outcomes back.
import { parentPort, workerData } from 'node:worker_threads';
import { definitionChecks } from '../scenarios/definition-checks.ts';
import type { Batch } from './plan.ts';
import type { WorkerInit, WorkerReply, WorkerStart } from './worker-protocol.ts';

// Set before any scenario module loads (the imports below are dynamic, so they evaluate after this line): the
// sweep's thread already dry-ran every scripted definition the worker is about to load.
definitionChecks.dryRunScripts = false;
const { loadScenario, UsageError } = await import('../api.ts');
const { BatchRunner, SweepRunError } = await import('./batch-runner.ts');

const port = parentPort;
if (!port) throw new Error('sweep/worker.ts must run as a worker thread');
const post = (reply: WorkerReply) => port.postMessage(reply);

// A thread started early (sweep/early-workers.ts) has loaded the model above and learns its scenarios now.
const init = (workerData as WorkerInit | undefined) ?? (await new Promise<WorkerInit>((resolve) => port.once('message', (start: WorkerStart) => resolve(start.init))));
try {
  const scenarios = await Promise.all(init.scenarios.map((spec) => loadScenario(spec, init.cwd)));
  const runner = new BatchRunner(scenarios, init.bugs);
  // Batches run one after another in arrival order (the engine may queue the next while one runs); an
  // async scenario (real LDK) must not start a batch while another awaits.
  let queue = Promise.resolve();
  port.on('message', (batch: Batch) => {
    queue = queue.then(async () => {
      try {
        post({ type: 'done', result: await runner.run(batch) });
      } catch (e) {
        post(failure(e));
      }
    });
  });
  post({ type: 'ready' });
} catch (e) {
  post(failure(e));
}

function failure(e: unknown): WorkerReply {
  if (e instanceof SweepRunError) return { type: 'run-error', scenario: e.scenario, seed: e.seed, message: e.message };
  return { type: 'fatal', usage: e instanceof UsageError, message: e instanceof Error ? (e instanceof UsageError ? e.message : (e.stack ?? e.message)) : String(e) };
}
