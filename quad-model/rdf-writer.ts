/**
 * Turtle and TriG as a person writes them: prefixes declared once at the top, each
 * subject's triples under one subject (`;` between predicates, `,` between objects),
 * `a` for rdf:type, numbers and booleans bare, and in TriG each graph's triples in one
 * block. The writer streams: it groups the quads that arrive one after another, so
 * the caller gives them ordered by graph, then subject (a store's gspo order, or one
 * match per graph); quads out of that order are still written correctly, in more
 * statements. A triple written twice in a row (the same triple from two graphs, in a
 * triple syntax) is written once; `distinct` drops repeats anywhere, at the cost of
 * remembering every triple written.
 */
import type * as RDF from '@rdfjs/types'
import { throwIfAborted } from './errors.js'
import { termKey } from './terms.js'

const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type'
const XSD = 'http://www.w3.org/2001/XMLSchema#'

/**
 * Prefixes common enough that a reader knows them (the W3C's RDFa initial context,
 * in part): an export declares those its data uses (usedPrefixes).
 */
export const COMMON_PREFIXES: Readonly<Record<string, string>> = {
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
  xsd: XSD,
  owl: 'http://www.w3.org/2002/07/owl#',
  dc: 'http://purl.org/dc/terms/',
  dc11: 'http://purl.org/dc/elements/1.1/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  schema: 'http://schema.org/',
  skos: 'http://www.w3.org/2004/02/skos/core#',
  prov: 'http://www.w3.org/ns/prov#',
  dcat: 'http://www.w3.org/ns/dcat#',
  void: 'http://rdfs.org/ns/void#',
  sh: 'http://www.w3.org/ns/shacl#',
  geo: 'http://www.opengis.net/ont/geosparql#',
  vcard: 'http://www.w3.org/2006/vcard/ns#',
  as: 'https://www.w3.org/ns/activitystreams#',
  ldp: 'http://www.w3.org/ns/ldp#',
  sioc: 'http://rdfs.org/sioc/ns#'
}

/** The prefixes of `candidates` whose namespace some IRI in `quads` can be written with. */
export async function usedPrefixes (quads: AsyncIterable<RDF.Quad> | Iterable<RDF.Quad>, candidates: Record<string, string>, signal?: AbortSignal): Promise<Record<string, string>> {
  const names = new Names(candidates)
  const used = new Set<string>()
  const seen = new Set<string>()
  const look = (term: RDF.Term): void => {
    let iri: string | undefined
    if (term.termType === 'NamedNode') iri = term.value
    else if (term.termType === 'Literal' && term.language === '' && term.datatype.value !== XSD + 'string') iri = term.datatype.value
    if (iri === undefined || seen.has(iri)) return
    seen.add(iri)
    const prefix = names.prefixOf(iri)
    if (prefix !== undefined) used.add(prefix)
  }
  let count = 0
  for await (const quad of quads) {
    if ((++count & 1023) === 0) throwIfAborted(signal)
    // Only the IRIs the writer would shorten: not the datatype of a bare number, nor rdf:type as `a`.
    look(quad.subject)
    if (quad.predicate.value !== RDF_TYPE) look(quad.predicate)
    if (quad.object.termType !== 'Literal' || bare(quad.object) === undefined) look(quad.object)
    look(quad.graph)
    // Stop early when every candidate is used; `seen` bounds the work per IRI.
    if (used.size === names.size) break
    if (seen.size > 1_000_000) seen.clear()
  }
  return Object.fromEntries(Object.entries(candidates).filter(([prefix]) => used.has(prefix)))
}

export interface GroupedWriterOptions {
  format: 'turtle' | 'trig'
  prefixes?: Record<string, string>
  /** Drop a triple (Turtle) or quad (TriG) already written, wherever it comes. */
  distinct?: boolean
  signal?: AbortSignal
}

/** A subject's triples are held to put rdf:type first; past this many they are written as they come. */
const HELD_TRIPLES = 4096

/** Writes `quads` as Turtle (graph names dropped) or TriG, lazily, in chunks of text. */
export async function * writeGrouped (quads: AsyncIterable<RDF.Quad> | Iterable<RDF.Quad>, options: GroupedWriterOptions): AsyncGenerator<string> {
  const names = new Names(options.prefixes ?? {})
  const trig = options.format === 'trig'
  let out = names.declarations()
  let graph: string | undefined
  let indent = ''
  let previous: string | undefined
  const written = options.distinct === true ? new Set<string>() : undefined
  // The current subject's statement: its text so far, and its triples not yet written.
  let subject: string | undefined
  let predicate: string | undefined
  let held: RDF.Quad[] = []
  let holding = true
  // Whether a top-level item (a statement, a graph block) was written: the next is set off by a blank line.
  let started = false
  const topLevel = (): void => {
    if (started) out += '\n'
    started = true
  }
  const writeTriple = (quad: RDF.Quad): void => {
    const p = quad.predicate.value === RDF_TYPE ? 'a' : names.term(quad.predicate)
    const o = names.term(quad.object)
    if (predicate === undefined) out += `${indent}${subject!} ${p} ${o}`
    else if (p !== predicate) out += ` ;\n${indent}    ${p} ${o}`
    else out += `, ${o}`
    predicate = p
  }
  const release = (): void => {
    // rdf:type first, as people write it (`ex:a a ex:T ; …`); the rest in their order.
    for (const quad of held) if (quad.predicate.value === RDF_TYPE) writeTriple(quad)
    for (const quad of held) if (quad.predicate.value !== RDF_TYPE) writeTriple(quad)
    held = []
  }
  const endStatement = (): void => {
    if (subject === undefined) return
    release()
    out += ' .\n'
    subject = undefined
    predicate = undefined
    holding = true
  }
  let count = 0
  for await (const quad of quads) {
    if ((++count & 1023) === 0) throwIfAborted(options.signal)
    const g = trig ? termKey(quad.graph) : ''
    const key = `${termKey(quad.subject)} ${termKey(quad.predicate)} ${termKey(quad.object)} ${g}`
    if (key === previous) continue
    previous = key
    if (written !== undefined) {
      if (written.has(key)) continue
      written.add(key)
    }
    if (trig && g !== graph) {
      endStatement()
      if (graph !== undefined && graph !== '') out += '}\n'
      graph = g
      indent = g === '' ? '' : '    '
      if (g !== '') {
        topLevel()
        out += `${names.term(quad.graph)} {\n`
      }
    }
    const s = names.term(quad.subject)
    if (s !== subject) {
      endStatement()
      if (indent === '') topLevel()
      subject = s
    }
    if (holding) {
      held.push(quad)
      if (held.length >= HELD_TRIPLES) {
        release()
        holding = false
      }
    } else {
      writeTriple(quad)
    }
    if (out.length >= 65_536) {
      yield out
      out = ''
    }
  }
  endStatement()
  if (graph !== undefined && graph !== '') out += '}\n'
  if (out !== '') yield out
}

/** Terms in Turtle's syntax, IRIs shortened by the prefixes. */
class Names {
  /** [namespace, prefix], longest namespace first. */
  private readonly namespaces: Array<[string, string]>
  constructor (private readonly prefixes: Record<string, string>) {
    this.namespaces = Object.entries(prefixes).map(([p, ns]): [string, string] => [ns, p]).sort((a, b) => b[0].length - a[0].length)
  }

  get size (): number { return this.namespaces.length }

  declarations (): string {
    const lines = Object.entries(this.prefixes).map(([p, ns]) => `@prefix ${p}: ${iriRef(ns)} .\n`)
    return lines.length === 0 ? '' : lines.join('') + '\n'
  }

  prefixOf (iri: string): string | undefined {
    for (const [ns, prefix] of this.namespaces) {
      if (iri.startsWith(ns) && LOCAL_NAME.test(iri.slice(ns.length))) return prefix
    }
    return undefined
  }

  iri (iri: string): string {
    for (const [ns, prefix] of this.namespaces) {
      if (iri.startsWith(ns)) {
        const local = iri.slice(ns.length)
        if (LOCAL_NAME.test(local)) return `${prefix}:${local}`
      }
    }
    return iriRef(iri)
  }

  term (term: RDF.Term): string {
    switch (term.termType) {
      case 'NamedNode': return this.iri(term.value)
      case 'BlankNode': return `_:${term.value}`
      case 'Literal': {
        const plain = bare(term)
        if (plain !== undefined) return plain
        const text = quoted(term.value)
        if (term.language !== '') return `${text}@${term.language}`
        if (term.datatype.value === XSD + 'string') return text
        return `${text}^^${this.iri(term.datatype.value)}`
      }
      case 'DefaultGraph': return ''
      default: throw new TypeError(`a ${term.termType} cannot be written in Turtle`)
    }
  }
}

/** A local name Turtle reads back as written (the ASCII part of PN_LOCAL, which suffices for a prefix to be used). */
const LOCAL_NAME = /^(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?)?$/

const BARE: Record<string, RegExp> = {
  [XSD + 'integer']: /^[+-]?[0-9]+$/,
  [XSD + 'decimal']: /^[+-]?[0-9]*\.[0-9]+$/,
  [XSD + 'double']: /^[+-]?(?:[0-9]+\.[0-9]*|\.?[0-9]+)[eE][+-]?[0-9]+$/,
  [XSD + 'boolean']: /^(?:true|false)$/
}

/** A literal Turtle writes without quotes (reading back as the same lexical form and datatype), or undefined. */
function bare (literal: RDF.Literal): string | undefined {
  if (literal.language !== '') return undefined
  const pattern = BARE[literal.datatype.value]
  return pattern !== undefined && pattern.test(literal.value) ? literal.value : undefined
}

function iriRef (iri: string): string {
  // eslint-disable-next-line no-control-regex
  return '<' + iri.replace(/[\u0000-\u0020<>"{}|^`\\]/g, c => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()) + '>'
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' }

function quoted (value: string): string {
  // eslint-disable-next-line no-control-regex
  return '"' + value.replace(/[\\"\u0000-\u001f\u007f]/g, c => ESCAPES[c] ?? '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()) + '"'
}
