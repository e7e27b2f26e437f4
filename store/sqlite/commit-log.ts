/**
 * The commit log: where a small write becomes durable before SQLite has it.
 *
 * A SQLite commit writes every B-tree page the transaction changed to the WAL; for a
 * single-quad commit that is about nine pages, two write calls each, and most of the
 * commit's cost. So the SQLite backend applies small writes inside one open
 * transaction that spans many of them (a *group*) and makes each durable by appending
 * its blocks here: one write call. When the group commits to SQLite, the log is
 * emptied. After a crash, SQLite holds the state up to the last group that committed
 * and the log holds every write reported done since (backend.ts replays it).
 *
 * A record is written with one write call and reported done only after it returned,
 * so it survives the process being killed; a power cut may lose the last records, as
 * it may lose SQLite's last commits with synchronous=NORMAL. A record cut short or
 * damaged (its checksum differs) was never reported done: reading stops there.
 *
 * Format of `commits.log` in the database folder, integers unsigned 32-bit little-endian:
 *   record := length crc32 body      length: body's byte length; crc32 (zlib) of body
 *   body   := count commit{count}    the commits of one write, in causal order
 *   commit := blocks (size bytes){blocks}
 *             the node's block, then its payload blocks in the order the node lists them
 * No CIDs are stored: every block is CIDv1 dag-cbor sha2-256 of its bytes.
 */
import { closeSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs'
import { crc32 } from 'node:zlib'

export const COMMIT_LOG_FILE = 'commits.log'

/** One commit as the log keeps it: the node's block, then its payload blocks. */
export type LoggedCommit = readonly Uint8Array[]

const HEADER = 8

export class CommitLog {
  private constructor (private readonly fd: number, private size: number) {}

  /** Opens (creating) the log for appending, or with `readOnly` only to read one that is there. */
  static open (file: string, readOnly = false): CommitLog {
    const fd = openSync(file, readOnly ? 'r' : 'a+')
    return new CommitLog(fd, fstatSync(fd).size)
  }

  /** The log's length in bytes. */
  get bytes (): number {
    return this.size
  }

  /** The intact records from the start, in order, up to the first that is cut short or damaged. */
  read (): LoggedCommit[][] {
    const file = Buffer.allocUnsafe(this.size)
    let got = 0
    while (got < this.size) {
      const n = readSync(this.fd, file, got, this.size - got, got)
      if (n === 0) break
      got += n
    }
    const records: LoggedCommit[][] = []
    let at = 0
    while (at + HEADER <= got) {
      const length = file.readUInt32LE(at)
      const end = at + HEADER + length
      if (end > got) break
      const body = file.subarray(at + HEADER, end)
      if (crc32(body) !== file.readUInt32LE(at + 4)) break
      const record = parseBody(body)
      if (record === undefined) break
      records.push(record)
      at = end
    }
    return records
  }

  /** Appends one write's commits as a record; when this returns, it survives a process kill. */
  append (commits: readonly LoggedCommit[]): void {
    let length = 4
    for (const blocks of commits) {
      length += 4
      for (const b of blocks) length += 4 + b.length
    }
    const record = Buffer.allocUnsafe(HEADER + length)
    record.writeUInt32LE(length, 0)
    let at = HEADER
    record.writeUInt32LE(commits.length, at); at += 4
    for (const blocks of commits) {
      record.writeUInt32LE(blocks.length, at); at += 4
      for (const b of blocks) {
        record.writeUInt32LE(b.length, at); at += 4
        record.set(b, at); at += b.length
      }
    }
    record.writeUInt32LE(crc32(record.subarray(HEADER)), 4)
    try {
      for (let done = 0; done < record.length;) done += writeSync(this.fd, record, done)
    } catch (err) {
      // A record written in part (a full disk) must not stay in front of the next one.
      ftruncateSync(this.fd, this.size)
      throw err
    }
    this.size += record.length
  }

  /** Empties the log: what it held is in SQLite now. */
  reset (): void {
    ftruncateSync(this.fd, 0)
    this.size = 0
  }

  close (): void {
    closeSync(this.fd)
  }
}

function parseBody (body: Buffer): LoggedCommit[] | undefined {
  let at = 0
  const u32 = (): number | undefined => {
    if (at + 4 > body.length) return undefined
    const n = body.readUInt32LE(at)
    at += 4
    return n
  }
  const count = u32()
  if (count === undefined) return undefined
  const commits: LoggedCommit[] = []
  for (let c = 0; c < count; c++) {
    const n = u32()
    if (n === undefined || n === 0) return undefined
    const blocks: Uint8Array[] = []
    for (let b = 0; b < n; b++) {
      const size = u32()
      if (size === undefined || at + size > body.length) return undefined
      blocks.push(new Uint8Array(body.buffer, body.byteOffset + at, size))
      at += size
    }
    commits.push(blocks)
  }
  return at === body.length ? commits : undefined
}
