// lnsim's public entry point.
export * from './api.ts';
export * as sim from './sim/index.ts';
