/**
 * One tab at a time: the backend keeps its counters and heads in memory, so two tabs
 * writing one IndexedDB database would each overwrite the other's. A Web Lock
 * (navigator.locks, held until close, released by the browser when the tab closes or
 * crashes) makes a second tab's open fail with ERR_DATABASE_LOCKED instead, as a
 * second process opening a SQLite folder does. Where Web Locks are missing there is
 * no other tab to guard against (a worker or Node with an IndexedDB shim): no lock.
 */
import { DatabaseLockedError } from '../errors.js'

interface LockManagerLike {
  request: (name: string, options: { ifAvailable: boolean }, callback: (lock: unknown) => Promise<void>) => Promise<void>
}

/** Takes the database's lock or fails with DatabaseLockedError; resolves to its release, which resolves once the lock is free again. */
export async function acquireTabLock (name: string): Promise<() => Promise<void>> {
  const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks
  if (locks === undefined) return async () => {}
  return await new Promise<() => Promise<void>>((resolve, reject) => {
    let release: () => void = () => {}
    const held = locks.request(`rhizome:${name}`, { ifAvailable: true }, async lock => {
      if (lock === null) throw new DatabaseLockedError(`IndexedDB "${name}" (another tab or window)`)
      const released = new Promise<void>(resolve => { release = resolve })
      resolve(async () => { release(); await held })
      await released
    })
    held.catch(reject)
  })
}
