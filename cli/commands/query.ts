/**
 * `rhizome query`: runs a SPARQL 1.1 query and writes its results. A format that does
 * not fit the query's form (-f json for a CONSTRUCT) is a usage error. The document is
 * held until the query ends (up to WHOLE_DOCUMENT_BYTES), so a query that times out or
 * is interrupted prints nothing on stdout rather than half a document.
 */
import { once } from 'node:events'
import { Option, type Command } from 'commander'
import {
  parseSparql, writeQuads, writeResultsCsv, writeResultsJson, writeResultsTsv, writeResultsXml,
  type BindingsResult, type QueryResult, type Solution
} from '../../index.js'
import { withGraph } from '../database.js'
import { renderTable, TermFormatter } from '../results-table.js'
import { positiveInteger, sparqlText } from '../sparql-text.js'

interface QueryCommandOptions {
  format?: string
  file?: string
  timeout?: number
  union?: boolean
  service?: string[]
}

const SOLUTION_FORMATS = ['table', 'json', 'xml', 'csv', 'tsv']
const BOOLEAN_FORMATS = ['table', 'json', 'xml', 'csv', 'tsv']

/**
 * Output held back until the query has ended: a failure before then leaves stdout
 * empty. A bigger result streams on from there (holding it all would cost its size in
 * memory), so only a failure after its first 16 MiB leaves a partial document.
 */
const WHOLE_DOCUMENT_BYTES = 16 * 1024 * 1024
const GRAPH_FORMATS: Record<string, 'n-triples' | 'turtle' | 'n-quads' | 'json-ld'> = { nt: 'n-triples', ttl: 'turtle', nq: 'n-quads', jsonld: 'json-ld' }

export function registerQuery (program: Command): void {
  program.command('query')
    .description('run a SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE)')
    .argument('[query]', 'the query text, or - to read it from standard input')
    .addOption(new Option('-f, --format <format>', 'table, json, xml, csv or tsv for solutions; nt, ttl, nq or jsonld for graphs (default: table on a terminal, json when piped; ttl or nt for graphs)')
      .choices([...SOLUTION_FORMATS, ...Object.keys(GRAPH_FORMATS)]))
    .option('--file <file>', 'read the query from a file')
    .option('--timeout <ms>', 'stop the query after this many milliseconds', positiveInteger)
    .option('--union', 'query the union of all graphs as the default graph')
    .option('--service <url>', 'let SERVICE call this SPARQL endpoint (a URL prefix, or * for any; repeatable)', (value: string, previous: string[] = []) => [...previous, value])
    .action(async (argument: string | undefined, options: QueryCommandOptions, command: Command) => {
      const text = await sparqlText(command, argument, options.file)
      const parsed = parseSparql(text) as { prefixes?: Record<string, string>, queryType?: string }
      const prefixes = parsed.prefixes ?? {}
      const misfit = formatMisfit(parsed.queryType, options.format)
      if (misfit !== undefined) command.error(misfit, { exitCode: 2, code: 'rhizome.formatMismatch' })
      await withGraph(command, async (graph, signal) => {
        const federation = options.service === undefined ? undefined : { allow: options.service }
        const result = await graph.query(text, { signal, timeoutMs: options.timeout, defaultGraphAsUnion: options.union, federation })
        const out = new HeldOutput()
        await writeResult(result, options.format, prefixes, out)
        out.end()
      })
    })
}

/** Why `format` does not fit a query of `form` (SELECT, ASK, CONSTRUCT, DESCRIBE), or undefined when it does. */
export function formatMisfit (form: string | undefined, format: string | undefined): string | undefined {
  if (format === undefined || form === undefined) return undefined
  const graphs = form === 'CONSTRUCT' || form === 'DESCRIBE'
  const fits = graphs ? Object.keys(GRAPH_FORMATS) : form === 'ASK' ? BOOLEAN_FORMATS : SOLUTION_FORMATS
  if (fits.includes(format)) return undefined
  return `-f ${format} does not fit a ${form} query, which gives ${graphs ? 'triples' : form === 'ASK' ? 'true or false' : 'solutions'}: use ${fits.join(', ')}`
}

/** Stdout, held back until the query ends or WHOLE_DOCUMENT_BYTES are waiting. */
class HeldOutput {
  private held: Array<string | Uint8Array> = []
  private bytes = 0
  private streaming = false

  async write (chunk: string | Uint8Array): Promise<void> {
    if (!this.streaming) {
      this.held.push(chunk)
      this.bytes += chunk.length
      if (this.bytes < WHOLE_DOCUMENT_BYTES) return
      this.streaming = true
      const held = this.held
      this.held = []
      for (const c of held) await this.out(c)
      return
    }
    await this.out(chunk)
  }

  async writeAll (chunks: AsyncIterable<string | Uint8Array>): Promise<void> {
    for await (const chunk of chunks) await this.write(chunk)
  }

  /** The query ended well: writes what was held. */
  end (): void {
    if (this.held.length > 0) process.stdout.write(this.held.length === 1 ? this.held[0] : this.held.join(''))
    this.held = []
  }

  private async out (chunk: string | Uint8Array): Promise<void> {
    if (!process.stdout.write(chunk)) await once(process.stdout, 'drain')
  }
}

async function writeResult (result: QueryResult, format: string | undefined, prefixes: Record<string, string>, out: HeldOutput): Promise<void> {
  const terminal = process.stdout.isTTY === true
  if (result.type === 'quads') {
    const name = format !== undefined && GRAPH_FORMATS[format] !== undefined ? format : (terminal ? 'ttl' : 'nt')
    await out.write(await writeQuads(result, GRAPH_FORMATS[name], { prefixes }))
    return
  }
  const chosen = format ?? (terminal ? 'table' : 'json')
  if (chosen === 'table') {
    if (result.type === 'boolean') return await out.write(String(result.value) + '\n')
    const rows: Solution[] = []
    for await (const row of result) rows.push(row)
    await out.write(renderTable(result.variables.map(v => v.value), rows, new TermFormatter(prefixes)))
    return
  }
  if (chosen === 'json') return await out.writeAll(writeResultsJson(result))
  if (chosen === 'xml') return await out.writeAll(writeResultsXml(result))
  if (result.type === 'boolean') return await out.write(String(result.value) + '\n')
  await out.writeAll(chosen === 'csv' ? writeResultsCsv(result as BindingsResult) : writeResultsTsv(result as BindingsResult))
}
