/**
 * Where a replica keeps its names: the records it holds (its own and those it follows),
 * the root blocks they point at, and which labels it publishes. A narrow interface so a
 * store can live in a folder (file-storage.ts) or in memory.
 */
export interface NameState {
  /** The labels this replica publishes, by label: the name (derived from the identity). */
  published: Record<string, string>
  /** Names this replica keeps records for without owning them (resolved or pinned). */
  followed: string[]
}

export interface NameStorage {
  readState: () => Promise<NameState>
  writeState: (state: NameState) => Promise<void>
  /** The marshalled records held, by name. */
  readRecords: () => Promise<Map<string, Uint8Array>>
  writeRecord: (name: string, bytes: Uint8Array) => Promise<void>
  readRoot: (cid: string) => Promise<Uint8Array | undefined>
  writeRoot: (cid: string, bytes: Uint8Array) => Promise<void>
}

export function memoryNameStorage (): NameStorage {
  let state: NameState = { published: {}, followed: [] }
  const records = new Map<string, Uint8Array>()
  const roots = new Map<string, Uint8Array>()
  return {
    readState: async () => structuredClone(state),
    writeState: async next => { state = structuredClone(next) },
    readRecords: async () => new Map(records),
    writeRecord: async (name, bytes) => { records.set(name, bytes) },
    readRoot: async cid => roots.get(cid),
    writeRoot: async (cid, bytes) => { roots.set(cid, bytes) }
  }
}
