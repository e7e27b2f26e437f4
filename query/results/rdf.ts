/**
 * CONSTRUCT/DESCRIBE output: N-Triples, N-Quads and Turtle through N3.js's Writer,
 * and JSON-LD in flat expanded form (one node object per subject and graph; no
 * context, no compaction) which every JSON-LD processor reads.
 */
import type * as RDF from '@rdfjs/types'
import { xsd } from '../terms.js'

export type RdfFormat = 'n-triples' | 'n-quads' | 'turtle' | 'json-ld'

export async function writeQuads (quads: AsyncIterable<RDF.Quad>, format: RdfFormat, options: { prefixes?: Record<string, string> } = {}): Promise<string> {
  if (format === 'json-ld') return await writeJsonLd(quads)
  // N3's writers load with its parsers: only when a graph is written (see quad-model/terms.ts).
  const { Writer } = await import('n3')
  const writer = new Writer({
    format: format === 'n-triples' ? 'N-Triples' : format === 'n-quads' ? 'N-Quads' : 'Turtle',
    prefixes: format === 'turtle' ? options.prefixes : undefined
  })
  for await (const q of quads) writer.addQuad(format === 'n-triples' || format === 'turtle' ? withoutGraph(q) : q)
  return await new Promise<string>((resolve, reject) => { writer.end((error, text) => { if (error !== null && error !== undefined) reject(error); else resolve(text) }) })
}

function withoutGraph (q: RDF.Quad): RDF.Quad {
  if (q.graph.termType === 'DefaultGraph') return q
  return { ...q, graph: { termType: 'DefaultGraph', value: '', equals: (o) => o?.termType === 'DefaultGraph' } as RDF.DefaultGraph } as RDF.Quad
}

function nodeId (t: RDF.Term): string { return t.termType === 'BlankNode' ? '_:' + t.value : t.value }

function objectToJsonLd (t: RDF.Term): Record<string, string> {
  if (t.termType === 'NamedNode' || t.termType === 'BlankNode') return { '@id': nodeId(t) }
  if (t.termType === 'Literal') {
    if (t.language !== '') return { '@value': t.value, '@language': t.language }
    if (t.datatype.value === xsd.string) return { '@value': t.value }
    return { '@value': t.value, '@type': t.datatype.value }
  }
  throw new TypeError(`cannot write a ${t.termType} as JSON-LD`)
}

async function writeJsonLd (quads: AsyncIterable<RDF.Quad>): Promise<string> {
  const graphs = new Map<string, Map<string, Record<string, unknown>>>()
  for await (const q of quads) {
    const g = q.graph.termType === 'DefaultGraph' ? '' : nodeId(q.graph)
    let nodes = graphs.get(g)
    if (nodes === undefined) graphs.set(g, nodes = new Map())
    const id = nodeId(q.subject)
    let node = nodes.get(id)
    if (node === undefined) nodes.set(id, node = { '@id': id })
    if (q.predicate.value === 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type' && q.object.termType !== 'Literal') {
      ((node['@type'] ??= []) as string[]).push(nodeId(q.object))
    } else {
      ((node[q.predicate.value] ??= []) as unknown[]).push(objectToJsonLd(q.object))
    }
  }
  const out: unknown[] = [...(graphs.get('')?.values() ?? [])]
  for (const [g, nodes] of graphs) if (g !== '') out.push({ '@id': g, '@graph': [...nodes.values()] })
  return JSON.stringify(out, null, 2) + '\n'
}
