/** `rhizome query`: runs a SPARQL 1.1 query and writes its results. */
import { Option, type Command } from 'commander'
import {
  parseSparql, writeQuads, writeResultsCsv, writeResultsJson, writeResultsTsv, writeResultsXml,
  type BindingsResult, type QueryResult, type Solution
} from '../../index.js'
import { withGraph } from '../database.js'
import { print, writeAll } from '../output.js'
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
      const prefixes = (parseSparql(text) as { prefixes?: Record<string, string> }).prefixes ?? {}
      await withGraph(command, async (graph, signal) => {
        const federation = options.service === undefined ? undefined : { allow: options.service }
        const result = await graph.query(text, { signal, timeoutMs: options.timeout, defaultGraphAsUnion: options.union, federation })
        await writeResult(result, options.format, prefixes)
      })
    })
}

async function writeResult (result: QueryResult, format: string | undefined, prefixes: Record<string, string>): Promise<void> {
  const terminal = process.stdout.isTTY === true
  if (result.type === 'quads') {
    const name = format !== undefined && GRAPH_FORMATS[format] !== undefined ? format : (terminal ? 'ttl' : 'nt')
    process.stdout.write(await writeQuads(result, GRAPH_FORMATS[name], { prefixes }))
    return
  }
  const chosen = format !== undefined && SOLUTION_FORMATS.includes(format) ? format : (terminal ? 'table' : 'json')
  if (chosen === 'table') {
    if (result.type === 'boolean') {
      print(String(result.value))
      return
    }
    const rows: Solution[] = []
    for await (const row of result) rows.push(row)
    process.stdout.write(renderTable(result.variables.map(v => v.value), rows, new TermFormatter(prefixes)))
    return
  }
  if (chosen === 'json') return await writeAll(writeResultsJson(result))
  if (chosen === 'xml') return await writeAll(writeResultsXml(result))
  if (result.type === 'boolean') {
    print(String(result.value))
    return
  }
  await writeAll(chosen === 'csv' ? writeResultsCsv(result as BindingsResult) : writeResultsTsv(result as BindingsResult))
}
