import { rmSync } from 'node:fs'
import { SqliteBackend, type Backend } from '../../store/index.js'
import { describeBackendCompliance } from './backend-compliance.js'
import { tempDir } from './helpers.js'

// Each backend in a folder of its own, removed when the test is done with it.
const folders = new Map<Backend, string>()
const made: string[] = []

describeBackendCompliance('sqlite', {
  open: async () => {
    const { path } = tempDir()
    made.push(path)
    const backend = await SqliteBackend.open({ path })
    folders.set(backend, path)
    return backend
  },
  reopen: async backend => {
    const path = folders.get(backend)!
    await backend.close()
    const reopened = await SqliteBackend.open({ path })
    folders.set(reopened, path)
    return reopened
  },
  cleanup: () => {
    for (const path of made.splice(0)) rmSync(path, { recursive: true, force: true })
    folders.clear()
  }
})
