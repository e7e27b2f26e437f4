/**
 * The SPARQL endpoints bench/http.ts measures, each started as its own process over
 * the same LUBM data: `rhizome serve` on its on-disk default (imported with
 * `rhizome import` first), Comunica's own SPARQL HTTP server (`comunica-sparql-http`
 * over the N-Triples file, held in its memory) and OpenLink Virtuoso (Debian's
 * `virtuoso-opensource`, loaded with its bulk loader, `ld_dir` + `rdf_loader_run`).
 *
 * Every server gets a folder of its own under `work`, which the caller removes.
 */
import { spawn, spawnSync } from 'node:child_process'
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { createServer } from 'node:http'
import { createInterface } from 'node:readline'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'
import type { ChildProcess } from 'node:child_process'
import type { AddressInfo } from 'node:net'

/** A running endpoint. */
export interface Endpoint {
  id: string
  /** The SPARQL endpoint's URL, with any query parameters every request needs. */
  url: string
  /** How long loading the data took (import, bulk load, or the first query that reads the file). */
  loadMs: number
  /** The server's process; its RSS, with its children's, is what the memory figures sample. */
  pid: number
  stop: () => Promise<void>
}

export interface ServerOptions {
  /** The gzipped N-Triples file. */
  data: string
  /** A folder of the server's own. */
  work: string
  root: string
  log: (line: string) => void
}

/** Resident set size in bytes of a process and all its descendants (Linux /proc). */
export function treeRss (pid: number): number {
  const children = new Map<number, number[]>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      const list = children.get(ppid) ?? []
      list.push(Number(entry))
      children.set(ppid, list)
    } catch { /* the process ended meanwhile */ }
  }
  let total = 0
  const visit = (p: number): void => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))
      if (m !== null) total += Number(m[1]) * 1024
    } catch { /* ended */ }
    for (const c of children.get(p) ?? []) visit(c)
  }
  visit(pid)
  return total
}

/** Resolves with the first line of the child's output that matches, or rejects when it exits first or after `ms`. */
async function waitForLine (child: ChildProcess, pattern: RegExp, ms: number, what: string, logFile?: string): Promise<RegExpExecArray> {
  return await new Promise((resolve, reject) => {
    const tail: string[] = []
    const timer = setTimeout(() => { reject(new Error(`${what}: no ${String(pattern)} after ${ms} ms: ${tail.join(' | ')}`)) }, ms)
    const onLine = (line: string): void => {
      tail.push(line)
      if (tail.length > 5) tail.shift()
      const m = pattern.exec(line)
      if (m !== null) { clearTimeout(timer); resolve(m) }
    }
    if (child.stdout !== null) createInterface({ input: child.stdout }).on('line', onLine)
    if (child.stderr !== null) createInterface({ input: child.stderr }).on('line', onLine)
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${what} exited (${String(code)}): ${tail.join(' | ')}`)) })
    // Everything the server says is kept in its folder, for a look after the run (--keep).
    if (logFile !== undefined) {
      const out = createWriteStream(logFile)
      child.stdout?.pipe(out)
      child.stderr?.pipe(out)
    }
  })
}

async function stopChild (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  await exited
  clearTimeout(timer)
}

/** What `started` resolves to, or the child stopped and the error passed on. */
async function orStop<T> (child: ChildProcess, started: Promise<T>): Promise<T> {
  try {
    return await started
  } catch (err) {
    await stopChild(child)
    throw err
  }
}

function run (command: string, args: string[], cwd: string): string {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${r.error?.message ?? r.stderr.trim().split('\n').slice(-3).join(' | ')}`)
  return r.stdout
}

/** `rhizome import` into a new database, then `rhizome serve` on it, replication on loopback only. */
export async function startRhizome (options: ServerOptions): Promise<Endpoint> {
  const cli = join(options.root, 'dist', 'cli', 'main.js')
  const db = join(options.work, 'db')
  let t = performance.now()
  run(process.execPath, [cli, '--db', db, 'init'], options.work)
  run(process.execPath, [cli, '--db', db, 'import', options.data], options.work)
  const loadMs = performance.now() - t
  t = performance.now()
  const child = spawn(process.execPath, [cli, '--db', db, 'serve', '--listen', '/ip4/127.0.0.1/tcp/0', '--http-port', '0', '--query-timeout', '600000'], { cwd: options.work, stdio: ['ignore', 'pipe', 'pipe'] })
  const [url] = await orStop(child, waitForLine(child, /^http:\/\/\S+\/sparql$/, 120_000, 'rhizome serve', join(options.work, 'server.log')))
  return { id: 'rhizome', url, loadMs, pid: child.pid!, stop: async () => await stopChild(child) }
}

/** The gunzipped copy of `data` that Comunica reads (it takes files by extension, not gzip). */
async function plainCopy (data: string, work: string): Promise<string> {
  const plain = join(work, basename(data).replace(/\.gz$/, ''))
  if (!existsSync(plain) || statSync(plain).size === 0) {
    await pipeline(createReadStream(data), createGunzip(), createWriteStream(plain))
  }
  return plain
}

/**
 * Comunica's SPARQL endpoint (`@comunica/query-sparql`'s bin/http.js) over the file: it
 * parses the file into memory on the first query (that query's time is the load time)
 * and keeps it cached for the next ones.
 */
export async function startComunica (options: ServerOptions, port: number): Promise<Endpoint> {
  const plain = await plainCopy(options.data, options.work)
  // The package's server dereferences sources over HTTP only (its configuration has no
  // file actor), so the file is served from here, once: Comunica caches what it parsed.
  const { size, mtime } = statSync(plain)
  const files = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/n-triples', 'content-length': size, 'last-modified': mtime.toUTCString() })
    if (req.method === 'HEAD') res.end()
    else createReadStream(plain).pipe(res)
  })
  await new Promise<void>(resolve => files.listen(0, '127.0.0.1', resolve))
  const source = `http://127.0.0.1:${(files.address() as AddressInfo).port}/data.nt`
  const bin = join(options.root, 'node_modules', '@comunica', 'query-sparql', 'bin', 'http.js')
  const child = spawn(process.execPath, ['--max-old-space-size=8192', bin, source, '-p', String(port), '-t', '600', '-w', '1'], { cwd: options.work, stdio: ['ignore', 'pipe', 'pipe'] })
  child.once('exit', () => files.close())
  const url = `http://127.0.0.1:${port}/sparql`
  const t = performance.now()
  return await orStop(child, firstQuery())
  async function firstQuery (): Promise<Endpoint> {
    await waitForLine(child, /Server running on/, 120_000, 'comunica-sparql-http', join(options.work, 'server.log'))
    // The line comes from the cluster's primary; its worker may listen a moment later.
    let res: Response | undefined
    while (res === undefined) {
      try {
        res = await fetch(`${url}?query=${encodeURIComponent('ASK { ?s ?p ?o }')}`, { headers: { accept: 'application/sparql-results+json' } })
      } catch (err) {
        if (performance.now() - t > 60_000) throw err
        await new Promise(resolve => setTimeout(resolve, 100))
      }
    }
    await res.text()
    if (!res.ok) throw new Error(`comunica-sparql-http: the first query answered ${res.status}`)
    return { id: 'comunica', url, loadMs: performance.now() - t, pid: child.pid!, stop: async () => await stopChild(child) }
  }
}

/** Whether Debian's Virtuoso is installed (`apt-get install virtuoso-opensource`). */
export function virtuosoInstalled (): boolean {
  return spawnSync('virtuoso-t', ['-?'], { encoding: 'utf8' }).error === undefined && existsSync('/etc/virtuoso-opensource-7/virtuoso.ini')
}

const GRAPH = 'http://rhizome.bench/lubm'

/**
 * Virtuoso with the package's own virtuoso.ini, its files moved into `work`, its ports
 * changed, the data folder allowed, and the settings a benchmark of large results
 * needs: the buffer pool of a 2 GB server (NumberOfBuffers 170,000, as Virtuoso's
 * own table gives for 2 GB), result sets of any size, queries up to 600 s, and 64
 * connections and keep-alives (the package allows 10). The data goes into one named
 * graph, queried as the default graph with `default-graph-uri`.
 */
export async function startVirtuoso (options: ServerOptions, sqlPort: number, httpPort: number): Promise<Endpoint> {
  const ini = readFileSync('/etc/virtuoso-opensource-7/virtuoso.ini', 'utf8')
    .replaceAll('/var/lib/virtuoso-opensource-7/db', options.work)
    .replace(/^(ServerPort\s*=\s*)1111\b.*$/m, `$1${sqlPort}`)
    .replace(/^(ServerPort\s*=\s*)8890\b.*$/m, `$1${httpPort}`)
    .replace(/^DirsAllowed.*$/m, `DirsAllowed = ., ${dirname(options.data)}, /usr/share/virtuoso-opensource-7/vad`)
    .replace(/^NumberOfBuffers.*$/m, 'NumberOfBuffers = 170000')
    .replace(/^MaxDirtyBuffers.*$/m, 'MaxDirtyBuffers = 130000')
    .replace(/^;?\s*ResultSetMaxRows.*$/m, 'ResultSetMaxRows = 1000000000')
    .replace(/^MaxQueryExecutionTime.*$/m, 'MaxQueryExecutionTime = 600')
    .replace(/^MaxQueryCostEstimationTime.*$/m, 'MaxQueryCostEstimationTime = 0')
    .replace(/^(MaxClientConnections\s*=).*$/gm, '$1 64')
    .replace(/^(ServerThreads\s*=).*$/gm, '$1 64')
    .replace(/^(MaxKeepAlives\s*=).*$/m, '$1 64')
  mkdirSync(options.work, { recursive: true })
  const config = join(options.work, 'virtuoso.ini')
  writeFileSync(config, ini)
  const child = spawn('virtuoso-t', ['+foreground', '+configfile', config], { cwd: options.work, stdio: ['ignore', 'pipe', 'pipe'] })
  return await orStop(child, loaded())
  async function loaded (): Promise<Endpoint> {
    await waitForLine(child, /Server online at/, 120_000, 'virtuoso-t', join(options.work, 'server.log'))
    const isql = (sql: string): string => run('isql-vt', [String(sqlPort), 'dba', 'dba', `exec=${sql}`], options.work)
    const t = performance.now()
    isql(`ld_dir('${dirname(options.data)}', '${basename(options.data)}', '${GRAPH}'); rdf_loader_run(); checkpoint;`)
    const loadMs = performance.now() - t
    const count = /(\d+)\s*$/m.exec(isql(`SPARQL SELECT COUNT(*) FROM <${GRAPH}> WHERE { ?s ?p ?o };`))
    options.log(`virtuoso: ${count?.[1] ?? '?'} triples loaded in ${(loadMs / 1000).toFixed(1)} s`)
    return {
      id: 'virtuoso',
      url: `http://127.0.0.1:${httpPort}/sparql?default-graph-uri=${encodeURIComponent(GRAPH)}`,
      loadMs,
      pid: child.pid!,
      stop: async () => {
        try { isql('shutdown;') } catch { /* it is going down anyway */ }
        await stopChild(child)
      }
    }
  }
}
