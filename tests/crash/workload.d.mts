// Types for workload.mjs, which the writer process runs as plain JavaScript.
export interface Step {
  kind: 'insert' | 'delete' | 'import' | 'update'
  add: string[]
  remove: string[]
}
export function prng (seed: number): () => number
export function workload (seed: number, steps: number, options?: { bulk?: boolean }): Generator<Step>
