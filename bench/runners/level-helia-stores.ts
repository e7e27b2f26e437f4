/**
 * LevelDB-backed block and data stores for the Helia node under OrbitDB.
 *
 * Helia keeps blocks in memory unless given stores; OrbitDB writes its log entries
 * as blocks through Helia, so without these nothing it reports as written would
 * survive a process kill. OrbitDB's own quick-start uses `blockstore-level` and
 * `datastore-level` for this; those packages are not installed here, so these two
 * small classes do the same job on `classic-level` (one LevelDB each, values as
 * raw bytes, writes not fsync'd: like LevelDB's default, durable against a process
 * kill, not against power loss, which is the same bar Rhizome is measured at).
 */
import { ClassicLevel } from 'classic-level'
import { BaseBlockstore } from 'blockstore-core'
import { BaseDatastore } from 'datastore-core'
import { Key } from 'interface-datastore'
import { CID } from 'multiformats/cid'
import type { KeyQuery, Pair, Query } from 'interface-datastore'

type BlockKey = Parameters<BaseBlockstore['put']>[0]
type BlockBytes = Parameters<BaseBlockstore['put']>[1]

/** Helia's "block not found", recognised by its name, as interface-store's NotFoundError is. */
class NotFoundError extends Error {
  override name = 'NotFoundError'
}

export class LevelBlockstore extends BaseBlockstore {
  private readonly db: ClassicLevel<Uint8Array, Uint8Array>

  constructor (path: string) {
    super()
    this.db = new ClassicLevel<Uint8Array, Uint8Array>(path, { keyEncoding: 'view', valueEncoding: 'view' })
  }

  async open (): Promise<void> { await this.db.open() }
  async close (): Promise<void> { await this.db.close() }

  override async put (cid: BlockKey, bytes: BlockBytes): Promise<BlockKey> {
    await this.db.put(cid.bytes, await concat(bytes))
    return cid
  }

  override async * get (cid: BlockKey): AsyncGenerator<Uint8Array> {
    const bytes = await this.db.get(cid.bytes)
    if (bytes == null) throw new NotFoundError(`block ${cid.toString()} not found`)
    yield bytes
  }

  override async has (cid: BlockKey): Promise<boolean> {
    return (await this.db.get(cid.bytes)) != null
  }

  override async delete (cid: BlockKey): Promise<void> {
    await this.db.del(cid.bytes)
  }

  override async * getAll (): AsyncGenerator<{ cid: BlockKey, bytes: AsyncGenerator<Uint8Array> }> {
    for await (const [key, value] of this.db.iterator()) {
      yield { cid: CID.decode(key), bytes: (async function * () { yield value })() }
    }
  }
}

export class LevelDatastore extends BaseDatastore {
  private readonly db: ClassicLevel<string, Uint8Array>

  constructor (path: string) {
    super()
    this.db = new ClassicLevel<string, Uint8Array>(path, { keyEncoding: 'utf8', valueEncoding: 'view' })
  }

  async open (): Promise<void> { await this.db.open() }
  async close (): Promise<void> { await this.db.close() }

  override async put (key: Key, value: Uint8Array): Promise<Key> {
    await this.db.put(key.toString(), value)
    return key
  }

  override async get (key: Key): Promise<Uint8Array> {
    const value = await this.db.get(key.toString())
    if (value == null) throw new NotFoundError(`key ${key.toString()} not found`)
    return value
  }

  override async has (key: Key): Promise<boolean> {
    return (await this.db.get(key.toString())) != null
  }

  override async delete (key: Key): Promise<void> {
    await this.db.del(key.toString())
  }

  // BaseDatastore.query() applies the filters, orders, offset and limit; these
  // only narrow the scan to the prefix.
  override async * _all (q: Query): AsyncGenerator<Pair> {
    for await (const [key, value] of this.db.iterator(prefixRange(q.prefix))) yield { key: new Key(key), value }
  }

  override async * _allKeys (q: KeyQuery): AsyncGenerator<Key> {
    for await (const key of this.db.keys(prefixRange(q.prefix))) yield new Key(key)
  }
}

function prefixRange (prefix: string | undefined): { gte?: string, lt?: string } {
  return prefix == null || prefix === '' ? {} : { gte: prefix, lt: prefix + '\uffff' }
}

async function concat (bytes: BlockBytes): Promise<Uint8Array> {
  if (bytes instanceof Uint8Array) return bytes
  const parts: Uint8Array[] = []
  for await (const part of bytes) parts.push(part)
  return Buffer.concat(parts)
}
