/**
 * Names kept in a folder (the database's `names/`): `names.json` (published labels and
 * followed names), `<name>.ipns` (the record held, marshalled as it travels) and
 * `roots/<cid>` (root blocks). Each file is written to a temporary name and renamed, so a
 * crash leaves the old file or the new one.
 */
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { MAX_RECORD_BYTES } from './records.js'
import type { NameState, NameStorage } from './storage.js'

const STATE = 'names.json'
const RECORD = '.ipns'

export function fileNameStorage (folder: string): NameStorage {
  const write = async (path: string, bytes: Uint8Array | string): Promise<void> => {
    await mkdir(join(path, '..'), { recursive: true, mode: 0o700 })
    const temp = `${path}.tmp`
    await writeFile(temp, bytes, { mode: 0o600 })
    await rename(temp, path)
  }
  const read = async (path: string): Promise<Buffer | undefined> => {
    try {
      return await readFile(path)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw err
    }
  }
  return {
    readState: async () => {
      const text = await read(join(folder, STATE))
      if (text === undefined) return { published: {}, followed: [] }
      const state = JSON.parse(text.toString('utf8')) as Partial<NameState>
      return { published: state.published ?? {}, followed: state.followed ?? [] }
    },
    writeState: async state => { await write(join(folder, STATE), JSON.stringify(state, null, 2) + '\n') },
    readRecords: async () => {
      const records = new Map<string, Uint8Array>()
      let entries: string[] = []
      try {
        entries = await readdir(folder)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      }
      for (const entry of entries) {
        if (!entry.endsWith(RECORD)) continue
        const bytes = await read(join(folder, entry))
        // A file grown past the limit is not a record this replica wrote; it is left out.
        if (bytes !== undefined && bytes.length <= MAX_RECORD_BYTES) records.set(entry.slice(0, -RECORD.length), new Uint8Array(bytes))
      }
      return records
    },
    writeRecord: async (name, bytes) => { await write(join(folder, name + RECORD), bytes) },
    readRoot: async cid => {
      const bytes = await read(join(folder, 'roots', cid))
      return bytes === undefined ? undefined : new Uint8Array(bytes)
    },
    writeRoot: async (cid, bytes) => { await write(join(folder, 'roots', cid), bytes) }
  }
}
