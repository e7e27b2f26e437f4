/**
 * The verification pool of the browser build (verify-pool.ts is Node's, on worker
 * threads): every signature is checked inline, on the page's thread, by the core's
 * `signatureHolds`. Endorsement (merkle-clock's authenticate) keeps that to about one
 * check per writer per catch-up batch; `workers` is accepted and ignored.
 */
import { signatureHolds } from '../merkle-clock/index.js'
import type { SignatureChecker } from './verify-pool.js'

export type { SignatureChecker } from './verify-pool.js'

export const inlineChecker: SignatureChecker = {
  check: async nodes => nodes.map(node => signatureHolds(node.value))
}

export function defaultWorkers (): number {
  return 0
}

export class VerifierPool {
  constructor (readonly workers?: number) {}

  checker (): SignatureChecker {
    return inlineChecker
  }

  async close (): Promise<void> {}
}
