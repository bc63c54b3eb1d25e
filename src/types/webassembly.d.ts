/**
 * The part of the WebAssembly JavaScript API that io/csv-structure.ts uses. Node has had it since
 * version 8, but @types/node 20 does not declare it (TypeScript's own declarations come with the DOM
 * library, which a command-line tool should not pull in).
 */
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports: object);
    readonly exports: Record<string, unknown>;
  }
  class Memory {
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
  class Global {
    value: unknown;
  }
}
