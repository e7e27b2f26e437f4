/**
 * The backend compliance suite (tests/store/backend-compliance.ts) against the
 * IndexedDB backend, bundled for a browser page: `runCompliance()` runs every case and
 * returns the results to tests/browser/indexeddb.test.ts. Each backend gets a database
 * of its own, deleted when the suite is done with it.
 */
import { describeBackendCompliance } from '../store/backend-compliance.js'
import { IndexedDbBackend } from '../../store/indexeddb/index.js'
import type { Backend } from '../../store/index.js'
import { runCollected, type CaseResult } from './vitest-shim.js'

let next = 0
const names = new WeakMap<Backend, string>()
const closedNames: string[] = []

async function open (name: string): Promise<Backend> {
  const backend = await IndexedDbBackend.open({ name })
  names.set(backend, name)
  return backend
}

describeBackendCompliance('IndexedDB', {
  open: async () => await open(`compliance-${next++}`),
  reopen: async backend => {
    const name = names.get(backend)!
    await backend.close()
    return await open(name)
  },
  cleanup: () => { closedNames.push(`compliance-${next - 1}`) }
})

declare global {
  interface Window { runCompliance: () => Promise<CaseResult[]>, ready?: boolean }
}

window.runCompliance = async () => {
  const results = await runCollected()
  await Promise.all(closedNames.map(async name => await new Promise(resolve => { const r = indexedDB.deleteDatabase(name); r.onsuccess = r.onerror = resolve })))
  return results
}
window.ready = true
