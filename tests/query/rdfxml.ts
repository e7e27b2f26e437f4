/**
 * A small RDF/XML parser for the W3C test data (.rdf files): node elements with
 * rdf:about / rdf:nodeID / rdf:ID, typed nodes, property elements with
 * rdf:resource, rdf:nodeID, rdf:datatype, xml:lang, rdf:parseType="Resource" and
 * nested nodes. No rdf:li, reification or XML literals: the suites do not use them.
 */
import type * as RDF from '@rdfjs/types'
import { SaxesParser, type SaxesTagNS } from 'saxes'
import { DataFactory } from 'rdf-data-factory'

const df = new DataFactory()
const RDFNS = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#'
const XMLNS = 'http://www.w3.org/XML/1998/namespace'

interface Frame {
  kind: 'node' | 'property'
  subject?: RDF.Quad_Subject
  predicate?: RDF.NamedNode
  datatype?: string
  lang: string
  text: string
  hasChild: boolean
  base: string
}

export function parseRdfXml (text: string, baseIRI: string): RDF.Quad[] {
  const quads: RDF.Quad[] = []
  const stack: Frame[] = []
  let bnodes = 0
  const parser = new SaxesParser({ xmlns: true })
  const resolve = (iri: string, base: string): string => new URL(iri, base).href
  const attr = (tag: SaxesTagNS, ns: string, local: string): string | undefined => {
    for (const a of Object.values(tag.attributes)) if (a.uri === ns && a.local === local) return a.value
    return undefined
  }
  parser.on('opentag', (tag) => {
    const parent = stack[stack.length - 1]
    const base = attr(tag, XMLNS, 'base') ?? parent?.base ?? baseIRI
    const lang = attr(tag, XMLNS, 'lang') ?? parent?.lang ?? ''
    const iri = tag.uri + tag.local
    if (parent === undefined && iri === RDFNS + 'RDF') { stack.push({ kind: 'property', lang, text: '', hasChild: true, base }); return }
    if (parent === undefined || parent.kind === 'property') {
      // A node element.
      const about = attr(tag, RDFNS, 'about'); const nodeId = attr(tag, RDFNS, 'nodeID'); const id = attr(tag, RDFNS, 'ID')
      const subject: RDF.Quad_Subject = about !== undefined
        ? df.namedNode(resolve(about, base))
        : id !== undefined
          ? df.namedNode(resolve('#' + id, base))
          : df.blankNode(nodeId ?? `rx${bnodes++}`)
      if (iri !== RDFNS + 'Description') quads.push(df.quad(subject, df.namedNode(RDFNS + 'type'), df.namedNode(iri)))
      for (const a of Object.values(tag.attributes)) {
        if (a.uri === RDFNS || a.uri === XMLNS || a.prefix === 'xmlns' || a.name === 'xmlns') continue
        quads.push(df.quad(subject, df.namedNode(a.uri + a.local), df.literal(a.value, lang !== '' ? lang : undefined)))
      }
      if (parent?.predicate !== undefined && parent.subject !== undefined) {
        quads.push(df.quad(parent.subject, parent.predicate, subject)); parent.hasChild = true
      }
      stack.push({ kind: 'node', subject, lang, text: '', hasChild: false, base })
      return
    }
    // A property element of the node `parent`.
    const predicate = df.namedNode(iri)
    const resource = attr(tag, RDFNS, 'resource'); const nodeId = attr(tag, RDFNS, 'nodeID')
    const parseType = attr(tag, RDFNS, 'parseType')
    if (resource !== undefined || nodeId !== undefined) {
      const object = resource !== undefined ? df.namedNode(resolve(resource, base)) : df.blankNode(nodeId!)
      quads.push(df.quad(parent.subject!, predicate, object))
      stack.push({ kind: 'property', lang, text: '', hasChild: true, base })
      return
    }
    if (parseType === 'Resource') {
      const object = df.blankNode(`rx${bnodes++}`)
      quads.push(df.quad(parent.subject!, predicate, object))
      stack.push({ kind: 'node', subject: object, lang, text: '', hasChild: false, base })
      return
    }
    stack.push({ kind: 'property', subject: parent.subject!, predicate, datatype: attr(tag, RDFNS, 'datatype'), lang, text: '', hasChild: false, base })
  })
  parser.on('text', (t) => { const top = stack[stack.length - 1]; if (top !== undefined) top.text += t })
  parser.on('closetag', () => {
    const frame = stack.pop()!
    if (frame.kind === 'property' && frame.predicate !== undefined && !frame.hasChild) {
      const object = frame.datatype !== undefined ? df.literal(frame.text, df.namedNode(frame.datatype)) : df.literal(frame.text, frame.lang !== '' ? frame.lang : undefined)
      quads.push(df.quad(frame.subject!, frame.predicate, object))
    }
  })
  parser.write(text).close()
  return quads
}
