export * from '../../naming/index.js'
export { RhizomeError } from '../../quad-model/index.js'
import { RhizomeError } from '../../quad-model/index.js'

/** The code a call throws (sync), or 'none'. */
export function RhizomeErrorCodeOf (fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    return err instanceof RhizomeError ? err.code : `not a RhizomeError: ${String(err)}`
  }
  return 'none'
}

/** The code a promise rejects with, or 'none'. */
export async function codeOf (promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (err) {
    return err instanceof RhizomeError ? err.code : `not a RhizomeError: ${String(err)}`
  }
  return 'none'
}
