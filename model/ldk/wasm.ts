// Loads LDK's WebAssembly (the npm package `lightningdevkit`, rust-lightning
// 0.1.0 compiled to wasm) once per process or worker thread, lazily: only a
// run of an LDK scenario pays the half-second load. The bindings keep one
// module-global instance, so every LDK node of a thread shares it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as Ldk from 'lightningdevkit';

/**
 * The bindings module, set by loadLdk(). Imported lazily: the module alone costs more than half a second of
 * start-up, which model-only runs and sweep workers must not pay.
 */
export let L: typeof Ldk = undefined as unknown as typeof Ldk;

/** Two internal functions of the bindings that their typed API hides (the silent logger of objects.ts uses them). */
export interface RawBindings {
  LDKLogger_new(impl: { log(record: unknown): void }): [bigint, number];
  Record_free(record: unknown): void;
}

/** The raw bindings module, set by loadLdk() (the very module the typed API wraps). */
export let LB: RawBindings = undefined as unknown as RawBindings;

let loading: Promise<void> | undefined;
let loaded = false;

/** Load the WebAssembly module (idempotent). The binary ships inside the package: nothing is downloaded. */
export function loadLdk(): Promise<void> {
  loading ??= (async () => {
    const require = createRequire(import.meta.url);
    const dir = dirname(require.resolve('lightningdevkit/package.json'));
    // The bindings announce themselves on stdout at load: keep that out of the CLI's output.
    const module = await import('lightningdevkit');
    const log = console.log;
    console.log = () => {};
    try {
      await module.initializeWasmFromBinary(readFileSync(join(dir, 'liblightningjs.wasm')));
    } finally {
      console.log = log;
    }
    L = module;
    LB = (await import('lightningdevkit/bindings.mjs')) as unknown as RawBindings;
    loaded = true;
  })();
  return loading;
}

export function ldkLoaded(): boolean {
  return loaded;
}

/** Thrown by code that needs the module before it was loaded: names the fix. */
export function requireLdk(what: string): void {
  if (!loaded) throw new Error(`${what} runs real LDK: load its WebAssembly first (await loadScenario(name) or await loadLdk())`);
}

/** A Rust panic inside the WebAssembly surfaces as this JS error; the instance is then suspect. */
export function isRustPanic(e: unknown): boolean {
  return e instanceof WebAssembly.RuntimeError || (e instanceof Error && /unreachable/.test(e.message) && e.name === 'RuntimeError');
}

let panicked = false;

/** Record that the module panicked: this thread's instance is suspect from now on. */
export function markPanicked(): void {
  panicked = true;
}

/** Whether the module panicked in this thread (Scenario.suspect for LDK scenarios). */
export function ldkSuspect(): boolean {
  return panicked;
}
