/** quadstore on LevelDB (classic-level), as both quadstore runners open it. */
import { ClassicLevel } from 'classic-level'
import { Quadstore } from 'quadstore'
import { DataFactory } from 'rdf-data-factory'
import type { StoreOpts } from 'quadstore'

export const df = new DataFactory()

export async function openStore (path: string): Promise<Quadstore> {
  // classic-level 3 implements abstract-level 3, as quadstore expects; the cast only
  // bridges TypeScript's variance check on the `hooks` generics.
  const backend = new ClassicLevel(path) as unknown as StoreOpts['backend']
  const store = new Quadstore({ backend, dataFactory: df })
  await store.open()
  return store
}
