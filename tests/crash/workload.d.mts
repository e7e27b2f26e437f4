// Types for workload.mjs, which the writer process runs as plain JavaScript.
export interface Step {
  kind: 'insert' | 'delete' | 'import' | 'update'
  add: string[]
  remove: string[]
}
export function prng (seed: number): () => number
export type Mode = 'mixed' | 'bulk' | 'burst' | 'merge'
export function workload (seed: number, steps: number, mode?: Mode): Generator<Step>
