/**
 * SERVICE (SPARQL 1.1 Federated Query): the pattern inside is sent, as a SELECT, to
 * another SPARQL endpoint over HTTP (the SPARQL 1.1 Protocol, results in JSON), and its
 * solutions are joined with the rest of the query. Given a solution to extend (an index
 * nested-loop join, or `SERVICE ?endpoint` after the pattern that binds it), the call
 * carries that solution's bindings as VALUES, so the endpoint answers only for it.
 *
 * Secure by default: a query calls no endpoint unless the caller allows it
 * (`QueryOptions.federation.allow`); every call has a time limit, and its answer is
 * bounded in bytes and solutions. SILENT turns a failed call into one empty solution
 * (§ 4 of the Federated Query recommendation); a forbidden endpoint is never silent.
 */
import type * as RDF from '@rdfjs/types'
import { Algebra, Factory, toSparql } from 'sparqlalgebrajs'
import { type Bindings, type EvalContext, checkSignal, mergeBindings } from '../context.js'
import { possibleVariables } from '../algebra/index.js'
import { ServiceFailedError, ServiceForbiddenError } from '../errors.js'
import { df } from '../terms.js'
import type { FederationOptions } from '../federation.js'

export const SERVICE_DEFAULTS = { timeoutMs: 30_000, maxResults: 100_000, maxBytes: 64 * 1024 * 1024 }

const factory = new Factory()
const variable = (name: string): RDF.Variable => (df.variable as (name: string) => RDF.Variable)(name)

export async function * evalService (op: Algebra.Service, ctx: EvalContext, seed: Bindings): AsyncIterable<Bindings> {
  const endpoint = endpointOf(op, seed)
  if (endpoint !== undefined) allowed(endpoint, ctx.federation)
  let solutions: Bindings[]
  try {
    if (endpoint === undefined) throw new ServiceFailedError(`?${(op.name as RDF.Variable).value}`, 'its endpoint variable is not bound to an IRI')
    solutions = await call(endpoint, queryText(op.input, seed), ctx)
  } catch (err) {
    checkSignal(ctx)
    if (op.silent) { yield seed; return }
    throw err
  }
  for (const s of solutions) {
    const merged = mergeBindings(seed, s)
    if (merged !== undefined) yield merged
  }
}

/** True when the endpoint can only be known per solution (`SERVICE ?x`): evaluate it in a nested loop. */
export function needsSeed (op: Algebra.Operation): boolean {
  return op.type === Algebra.types.SERVICE && op.name.termType === 'Variable'
}

function endpointOf (op: Algebra.Service, seed: Bindings): string | undefined {
  if (op.name.termType === 'NamedNode') return op.name.value
  const bound = seed.get((op.name as RDF.Variable).value)
  return bound?.termType === 'NamedNode' ? bound.value : undefined
}

function allowed (endpoint: string, federation: FederationOptions | undefined): void {
  const ok = federation?.allow.some(prefix => prefix === '*' || endpoint.startsWith(prefix)) ?? false
  if (!ok) throw new ServiceForbiddenError(endpoint)
}

/** The SELECT sent: the pattern, its variables, and the seed's bindings of them as VALUES. */
function queryText (pattern: Algebra.Operation, seed: Bindings): string {
  const vars = [...possibleVariables(pattern)]
  const bound: Record<string, RDF.NamedNode | RDF.Literal> = {}
  const boundVars: RDF.Variable[] = []
  for (const v of vars) {
    const t = seed.get(v)
    // Blank nodes cannot be sent (their labels mean nothing there); the join after the call checks them.
    if (t !== undefined && (t.termType === 'NamedNode' || t.termType === 'Literal')) { bound[`?${v}`] = t; boundVars.push(variable(v)) }
  }
  const input = boundVars.length === 0 ? pattern : factory.createJoin([factory.createValues(boundVars, [bound]), pattern])
  const projected = vars.length === 0 ? [variable('rhizome_no_variables')] : vars.map(v => variable(v))
  return toSparql(factory.createProject(input, projected))
}

async function call (endpoint: string, query: string, ctx: EvalContext): Promise<Bindings[]> {
  const options = { ...SERVICE_DEFAULTS, ...ctx.federation }
  const signals = [AbortSignal.timeout(options.timeoutMs)]
  if (ctx.signal !== undefined) signals.push(ctx.signal)
  const fetcher = ctx.federation?.fetch ?? globalThis.fetch
  let response: Response
  try {
    response = await fetcher(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/sparql-query', accept: 'application/sparql-results+json' },
      body: query,
      signal: AbortSignal.any(signals),
      redirect: 'error'
    })
  } catch (err) {
    throw new ServiceFailedError(endpoint, (err as Error).message, { cause: err })
  }
  if (!response.ok) {
    await response.body?.cancel()
    throw new ServiceFailedError(endpoint, `HTTP ${response.status}`)
  }
  const text = await boundedText(response, options.maxBytes, endpoint)
  return parseResults(text, options.maxResults, endpoint)
}

async function boundedText (response: Response, maxBytes: number, endpoint: string): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? NaN)
  if (declared > maxBytes) throw new ServiceFailedError(endpoint, `the answer is larger than ${maxBytes} bytes`)
  if (response.body === null) return ''
  const decoder = new TextDecoder()
  let text = ''
  let bytes = 0
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.byteLength
      if (bytes > maxBytes) throw new ServiceFailedError(endpoint, `the answer is larger than ${maxBytes} bytes`)
      text += decoder.decode(chunk, { stream: true })
    }
  } catch (err) {
    if (err instanceof ServiceFailedError) throw err
    throw new ServiceFailedError(endpoint, (err as Error).message, { cause: err })
  }
  return text + decoder.decode()
}

interface JsonTerm { type: string, value: string, 'xml:lang'?: string, datatype?: string }

/** SPARQL 1.1 Query Results JSON, checked as it is read: anything else is a ServiceFailedError. */
function parseResults (text: string, maxResults: number, endpoint: string): Bindings[] {
  let doc: { results?: { bindings?: unknown } }
  try { doc = JSON.parse(text) } catch { throw new ServiceFailedError(endpoint, 'the answer is not SPARQL JSON results') }
  const rows = doc?.results?.bindings
  if (!Array.isArray(rows)) throw new ServiceFailedError(endpoint, 'the answer is not SPARQL JSON results')
  if (rows.length > maxResults) throw new ServiceFailedError(endpoint, `more than ${maxResults} solutions`)
  const labels = new Map<string, RDF.BlankNode>()
  return rows.map(row => {
    if (typeof row !== 'object' || row === null) throw new ServiceFailedError(endpoint, 'a solution is not an object')
    const b: Bindings = new Map()
    for (const [name, term] of Object.entries(row as Record<string, JsonTerm>)) b.set(name, termOf(term, labels, endpoint))
    return b
  })
}

function termOf (t: JsonTerm, labels: Map<string, RDF.BlankNode>, endpoint: string): RDF.Term {
  if (typeof t !== 'object' || t === null || typeof t.value !== 'string') throw new ServiceFailedError(endpoint, 'a malformed term')
  switch (t.type) {
    case 'uri': return df.namedNode(t.value)
    case 'bnode': {
      // The endpoint's labels are its own: one fresh blank node per label, per call.
      let b = labels.get(t.value)
      if (b === undefined) labels.set(t.value, b = df.blankNode())
      return b
    }
    case 'literal': case 'typed-literal':
      if (typeof t['xml:lang'] === 'string') return df.literal(t.value, t['xml:lang'])
      return df.literal(t.value, typeof t.datatype === 'string' ? df.namedNode(t.datatype) : undefined)
    default: throw new ServiceFailedError(endpoint, `a term of unknown type ${JSON.stringify(t.type)}`)
  }
}
