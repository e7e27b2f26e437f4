/**
 * Readers: snapshots of the store on read-only connections of their own, pooled.
 *
 * A reader opens a transaction on its connection at once, so in WAL mode all its
 * reads see one committed state, whatever the writer does meanwhile (the writer's
 * open group is not committed: the backend flushes it before handing out a reader).
 * Statements are prepared once per pooled connection, not per reader.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite'
import { join } from 'node:path'
import { throwIfAborted } from '../../quad-model/index.js'
import type { IdPattern, Reader } from '../backend.js'
import { StoreClosedError } from '../errors.js'
import type { QuadIndexes } from './indexes.js'
import { DEFAULT_GRAPH_ID, immutableStoreFile, SQLITE_STORE_FILE } from './schema.js'
import type { TermDictionary } from './terms.js'

const SCAN_BATCH = 1024
// Estimates count exactly up to this many matches, then extrapolate from a full count cached per write.
const ESTIMATE_EXACT = 5_000
// Idle connections kept for the next readers.
const IDLE_READERS = 8

const POSITIONS = ['s', 'p', 'o', 'g'] as const

function whereOf (pattern: IdPattern): { sql: string, args: number[], shape: number } {
  const clauses: string[] = []
  const args: number[] = []
  let shape = 0
  for (let i = 0; i < 4; i++) {
    const id = pattern[i]
    if (id !== undefined) {
      clauses.push(`${POSITIONS[i]} = ?`)
      args.push(id)
      shape |= 1 << i
    }
  }
  return { sql: clauses.length === 0 ? '' : ' WHERE ' + clauses.join(' AND '), args, shape }
}

/** What readers need of the backend. */
export interface ReaderContext {
  readonly path: string
  /** Whether the store was opened read-only: readers then open the file immutable (schema.ts). */
  readonly readOnly: boolean
  readonly terms: TermDictionary
  readonly indexes: QuadIndexes
  /** Throws when the store is closed or failed. */
  check: () => void
  /** Whether the store is closed (a released connection then closes too). */
  readonly closed: boolean
}

export class ReaderPool {
  private readonly idle: DatabaseSync[] = []
  private readonly statementCache = new WeakMap<DatabaseSync, Map<string, StatementSync>>()
  /** Bumped by every write: full counts cached for estimates are good until then. */
  private generation = 0
  private estimateGeneration = -1
  private readonly estimateCache = new Map<string, number>()

  constructor (private readonly Sqlite: typeof DatabaseSync, private readonly ctx: ReaderContext) {}

  /** A write committed: cached counts are stale. */
  written (): void {
    this.generation++
  }

  private connection (): DatabaseSync {
    const pooled = this.idle.pop()
    if (pooled !== undefined) return pooled
    const conn = new this.Sqlite(this.ctx.readOnly ? immutableStoreFile(this.ctx.path) : join(this.ctx.path, SQLITE_STORE_FILE), { readOnly: true })
    conn.exec('PRAGMA cache_size = -16384')
    return conn
  }

  close (): void {
    for (const conn of this.idle.splice(0)) conn.close()
  }

  /** A snapshot of what is committed. */
  open (): Reader {
    const ctx = this.ctx
    const conn = this.connection()
    conn.exec('BEGIN')
    let released = false
    // Prepared statements live as long as their pooled connection, not one reader.
    let statements = this.statementCache.get(conn)
    if (statements === undefined) this.statementCache.set(conn, statements = new Map())
    const prepare = (sql: string): StatementSync => {
      let st = statements.get(sql)
      if (st === undefined) {
        st = conn.prepare(sql)
        statements.set(sql, st)
      }
      return st
    }
    const live = (): void => {
      if (released) throw new StoreClosedError()
      ctx.check()
    }
    const scanning = new Set<StatementSync>()
    const pool = this
    return {
      lookup: async keys => {
        live()
        const st = prepare('SELECT id FROM terms WHERE key = ?')
        return keys.map(k => {
          const row = st.get(k) as { id: number } | undefined
          return row === undefined ? undefined : Number(row.id)
        })
      },
      resolve: async ids => {
        live()
        return ctx.terms.resolve(ids, prepare('SELECT key FROM terms WHERE id = ?'), () => prepare('SELECT t.id, t.key FROM json_each(?) j JOIN terms t ON t.id = j.value'))
      },
      scanMany: async (patterns, limit) => {
        live()
        // One prepared statement per shape of bound positions, each read whole with `all`
        // (several times faster per row than stepping `iterate` from JavaScript), selecting
        // only the free positions: the bound ones are the pattern's.
        const byShape: Array<StatementSync | undefined> = []
        const ends = new Uint32Array(patterns.length >> 2)
        let quads = new Uint32Array(Math.max(64, patterns.length))
        let n = 0
        const args: number[] = []
        for (let i = 0; i < patterns.length; i += 4) {
          let shape = 0
          args.length = 0
          // As `normalize`: without named graphs, a bound default graph is left free in the
          // SQL (its rows are all in it) and another bound graph matches nothing.
          const graph = patterns[i + 3]
          if (graph !== 0 && !ctx.indexes.graphIndexes && graph !== DEFAULT_GRAPH_ID) {
            ends[i >> 2] = n >> 2
            continue
          }
          const sqlWidth = graph !== 0 && !ctx.indexes.graphIndexes ? 3 : 4
          for (let k = 0; k < sqlWidth; k++) {
            const id = patterns[i + k]
            if (id !== 0) { shape |= 1 << k; args.push(id) }
          }
          let st = byShape[shape]
          if (st === undefined) {
            const free = POSITIONS.filter((_, k) => (shape & (1 << k)) === 0)
            const clauses = POSITIONS.filter((_, k) => (shape & (1 << k)) !== 0).map(c => `${c} = ?`)
            // Its own statements (the comment makes the text differ): `scan` may be stepping the same query.
            st = prepare(`SELECT ${free.length === 0 ? '1' : free.join(', ')} FROM quads` + (shape === 0 ? ' NOT INDEXED' : ' WHERE ' + clauses.join(' AND ')) + (limit === undefined ? '' : ` LIMIT ${Math.max(0, Math.floor(limit))}`) + ' /* many */')
            st.setReturnArrays(true)
            byShape[shape] = st
          }
          const rows = st.all(...args) as unknown as number[][]
          if (n + rows.length * 4 > quads.length) {
            const grown = new Uint32Array(Math.max(quads.length * 2, n + rows.length * 4))
            grown.set(quads.subarray(0, n))
            quads = grown
          }
          const s0 = patterns[i]; const p0 = patterns[i + 1]; const o0 = patterns[i + 2]; const g0 = patterns[i + 3]
          for (const r of rows) {
            let c = 0
            quads[n++] = s0 !== 0 ? s0 : r[c++]
            quads[n++] = p0 !== 0 ? p0 : r[c++]
            quads[n++] = o0 !== 0 ? o0 : r[c++]
            quads[n++] = g0 !== 0 ? g0 : r[c]
          }
          ends[i >> 2] = n >> 2
        }
        return { quads: quads.subarray(0, n), ends }
      },
      scan: (pattern, options = {}) => ({
        async * [Symbol.asyncIterator] () {
          live()
          const normalized = ctx.indexes.normalize(pattern)
          if (normalized === null) return
          const where = whereOf(normalized)
          // A full scan reads the table itself (spog order), so subjects come grouped, as Turtle likes.
          // NOT INDEXED alone does not say so: on a WITHOUT ROWID table SQLite still scans the
          // narrower covering osgp index (object order); ORDER BY the key makes it read the table.
          const sql = 'SELECT s, p, o, g FROM quads' + (where.shape === 0 ? ' NOT INDEXED ORDER BY s, p, o, g' : where.sql)
          // A statement steps one iteration at a time: a scan nested in another of the same
          // shape (a join) gets its own, or the outer one would go on from the inner's bindings.
          let st = prepare(sql)
          const nested = scanning.has(st)
          if (nested) st = conn.prepare(sql)
          else scanning.add(st)
          st.setReturnArrays(true)
          const rows = st.iterate(...where.args) as Iterator<[number, number, number, number]>
          try {
            while (true) {
              throwIfAborted(options.signal)
              live()
              const batch = new Uint32Array(SCAN_BATCH * 4)
              let n = 0
              for (; n < SCAN_BATCH; n++) {
                const next = rows.next()
                if (next.done === true) break
                const r = next.value
                batch[n * 4] = r[0]; batch[n * 4 + 1] = r[1]; batch[n * 4 + 2] = r[2]; batch[n * 4 + 3] = r[3]
              }
              if (n > 0) yield n === SCAN_BATCH ? batch : batch.subarray(0, n * 4)
              if (n < SCAN_BATCH) return
            }
          } finally {
            rows.return?.()
            if (!nested) scanning.delete(st)
          }
        }
      }),
      estimate: async pattern => {
        live()
        const normalized = ctx.indexes.normalize(pattern)
        if (normalized === null) return 0
        const where = whereOf(normalized)
        const capped = Number((prepare(`SELECT count(*) AS n FROM (SELECT 1 FROM quads${where.sql} LIMIT ${ESTIMATE_EXACT + 1})`).get(...where.args) as { n: number }).n)
        if (capped <= ESTIMATE_EXACT) return capped
        if (pool.estimateGeneration !== pool.generation) {
          pool.estimateCache.clear()
          pool.estimateGeneration = pool.generation
        }
        const key = pattern.join(',')
        let n = pool.estimateCache.get(key)
        if (n === undefined) {
          n = Number((prepare('SELECT count(*) AS n FROM quads' + where.sql).get(...where.args) as { n: number }).n)
          pool.estimateCache.set(key, n)
        }
        return n
      },
      count: async () => {
        live()
        return Number((prepare('SELECT count(*) AS n FROM quads').get() as { n: number }).n)
      },
      graphs: async () => {
        live()
        if (!ctx.indexes.graphIndexes) {
          return prepare('SELECT 1 FROM quads LIMIT 1').get() === undefined ? [] : [DEFAULT_GRAPH_ID]
        }
        // Hops from one graph to the next through the gspo index: one seek per graph, not a scan.
        const st = prepare(`WITH RECURSIVE gs(g) AS (SELECT min(g) FROM quads
          UNION ALL SELECT (SELECT min(g) FROM quads WHERE g > gs.g) FROM gs WHERE gs.g IS NOT NULL)
          SELECT g FROM gs WHERE g IS NOT NULL`)
        return (st.all() as Array<{ g: number }>).map(r => Number(r.g))
      },
      release: () => {
        if (released) return
        released = true
        try {
          conn.exec('COMMIT')
        } catch {}
        if (ctx.closed || pool.idle.length >= IDLE_READERS) conn.close()
        else pool.idle.push(conn)
      }
    }
  }
}
