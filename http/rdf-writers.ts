/**
 * Graph results (CONSTRUCT, DESCRIBE, Graph Store GET) written as a stream of text
 * chunks, one or a few per quad, in N-Triples, N-Quads, Turtle, TriG, JSON-LD and
 * RDF/XML. The engine's own `writeQuads` builds the whole document in memory; these
 * hold one quad at a time, so a large graph streams out as it is read.
 *
 * JSON-LD is written in expanded form, one node object per triple (a processor merges
 * node objects with the same @id), which needs no buffering by subject. RDF/XML writes
 * one rdf:Description per triple; a predicate IRI that cannot be split into a namespace
 * and an XML local name cannot be written in RDF/XML at all, and fails the stream.
 * Turtle and TriG go through N3.js's Writer, fed one quad at a time.
 */
import type * as RDF from '@rdfjs/types'
import { Writer } from 'n3'
import { ResultsFormatError, termToNTriples } from '../index.js'

export type GraphFormat = 'n-triples' | 'n-quads' | 'turtle' | 'trig' | 'json-ld' | 'rdf-xml'

/** Media types of graph formats, the server's preference first. */
export const GRAPH_MEDIA_TYPES: Record<string, GraphFormat> = {
  'text/turtle': 'turtle',
  'application/n-triples': 'n-triples',
  'application/n-quads': 'n-quads',
  'application/trig': 'trig',
  'application/ld+json': 'json-ld',
  'application/rdf+xml': 'rdf-xml',
  'text/plain': 'n-triples',
  'application/x-turtle': 'turtle'
}

const XSD_STRING = 'http://www.w3.org/2001/XMLSchema#string'
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type'

export function writeGraph (quads: AsyncIterable<RDF.Quad>, format: GraphFormat): AsyncIterable<string> {
  switch (format) {
    case 'n-triples': return nTriples(quads, false)
    case 'n-quads': return nTriples(quads, true)
    case 'turtle': return n3(quads, 'Turtle')
    case 'trig': return n3(quads, 'application/trig')
    case 'json-ld': return jsonLd(quads)
    case 'rdf-xml': return rdfXml(quads)
  }
}

async function * nTriples (quads: AsyncIterable<RDF.Quad>, withGraph: boolean): AsyncIterable<string> {
  for await (const q of quads) {
    const g = withGraph && q.graph.termType !== 'DefaultGraph' ? ' ' + termToNTriples(q.graph) : ''
    yield `${termToNTriples(q.subject)} ${termToNTriples(q.predicate)} ${termToNTriples(q.object)}${g} .\n`
  }
}

async function * n3 (quads: AsyncIterable<RDF.Quad>, format: string): AsyncIterable<string> {
  const out: string[] = []
  const sink = { write: (chunk: string) => { out.push(chunk) }, end: (done?: () => void) => { done?.() } }
  const writer = new Writer(sink as never, { format })
  const triples = format === 'Turtle'
  for await (const q of quads) {
    writer.addQuad(q.subject, q.predicate, q.object, triples ? undefined : q.graph)
    if (out.length > 0) yield out.splice(0).join('')
  }
  await new Promise<void>((resolve, reject) => writer.end(err => { if (err != null) reject(err); else resolve() }))
  if (out.length > 0) yield out.join('')
}

function jsonLdId (t: RDF.Term): string { return t.termType === 'BlankNode' ? '_:' + t.value : t.value }

function jsonLdObject (t: RDF.Term): Record<string, string> {
  if (t.termType !== 'Literal') return { '@id': jsonLdId(t) }
  if (t.language !== '') return { '@value': t.value, '@language': t.language }
  if (t.datatype.value === XSD_STRING) return { '@value': t.value }
  return { '@value': t.value, '@type': t.datatype.value }
}

async function * jsonLd (quads: AsyncIterable<RDF.Quad>): AsyncIterable<string> {
  yield '['
  let first = true
  for await (const q of quads) {
    const node: Record<string, unknown> = { '@id': jsonLdId(q.subject) }
    if (q.predicate.value === RDF_TYPE && q.object.termType !== 'Literal') node['@type'] = [jsonLdId(q.object)]
    else node[q.predicate.value] = [jsonLdObject(q.object)]
    const item = q.graph.termType === 'DefaultGraph' ? node : { '@id': jsonLdId(q.graph), '@graph': [node] }
    yield (first ? '\n' : ',\n') + JSON.stringify(item)
    first = false
  }
  yield '\n]\n'
}

function escapeXml (s: string): string {
  return s.replace(/[&<>"]/g, c => c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;')
}

/** Splits an IRI into namespace and a local name that is an XML NCName (a simplified, ASCII-first check). */
function splitPredicate (iri: string): [string, string] {
  const m = /[A-Za-z_\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*$/u.exec(iri)
  if (m === null || m.index === 0) throw new ResultsFormatError(`the predicate <${iri}> cannot be written in RDF/XML (no XML local name)`)
  return [iri.slice(0, m.index), m[0]]
}

async function * rdfXml (quads: AsyncIterable<RDF.Quad>): AsyncIterable<string> {
  yield '<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
  for await (const q of quads) {
    const [ns, local] = splitPredicate(q.predicate.value)
    const about = q.subject.termType === 'BlankNode' ? `rdf:nodeID="${escapeXml(q.subject.value)}"` : `rdf:about="${escapeXml(q.subject.value)}"`
    const o = q.object
    let property: string
    if (o.termType === 'NamedNode') property = `<p:${local} xmlns:p="${escapeXml(ns)}" rdf:resource="${escapeXml(o.value)}"/>`
    else if (o.termType === 'BlankNode') property = `<p:${local} xmlns:p="${escapeXml(ns)}" rdf:nodeID="${escapeXml(o.value)}"/>`
    else if (o.termType === 'Literal') {
      const attr = o.language !== '' ? ` xml:lang="${escapeXml(o.language)}"` : o.datatype.value === XSD_STRING ? '' : ` rdf:datatype="${escapeXml(o.datatype.value)}"`
      property = `<p:${local} xmlns:p="${escapeXml(ns)}"${attr}>${escapeXml(o.value)}</p:${local}>`
    } else throw new ResultsFormatError(`a ${o.termType} cannot be written in RDF/XML`)
    yield `<rdf:Description ${about}>${property}</rdf:Description>\n`
  }
  yield '</rdf:RDF>\n'
}
