/**
 * node:module in the browser build: `createRequire` for the CommonJS packages the
 * shared modules load on first use (sparqljs, N3's terms and parser). esbuild bundles
 * each `require` below and runs it only when first called, so they stay lazy.
 */
declare const require: (name: string) => unknown

const MODULES: Record<string, () => unknown> = {
  sparqljs: () => require('sparqljs'),
  n3: () => require('n3'),
  'n3/lib/N3DataFactory.js': () => require('n3/lib/N3DataFactory.js')
}

export function createRequire (_url: string | URL): (name: string) => unknown {
  return name => {
    const load = MODULES[name]
    if (load === undefined) throw new Error(`${name} is not in the browser build`)
    return load()
  }
}
