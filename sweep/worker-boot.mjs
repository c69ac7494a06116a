// Worker thread entry: plain JavaScript, so Node can start it before any
// TypeScript loader exists in the thread; it registers tsx, then loads the
// TypeScript worker. (On Node 20 `execArgv: ['--import', 'tsx']` does not
// reach a worker's module loader, so the worker registers tsx itself.)
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
