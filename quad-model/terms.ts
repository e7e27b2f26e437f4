/**
 * RDF/JS terms and quads. Rhizome hands out and accepts the RDF/JS data model
 * (https://rdf.js.org/data-model-spec/), built with N3.js's DataFactory, so any
 * RDF/JS library interoperates.
 *
 * Every term has one canonical string form (`termKey`), used as the entry of a
 * delta's term table and as the key of the store's term dictionary. It keeps a
 * literal exactly as written: `"01"^^xsd:integer` stays `"01"`.
 *
 *   named node    the IRI itself                  http://example.org/a
 *   blank node    _: and its label                _:b1
 *   literal       "lexical" then @lang or ^^IRI   "chat"@fr, "01"^^http://www.w3.org/2001/XMLSchema#integer
 *                 (xsd:string literals carry no suffix: "plain")
 *   default graph the empty string
 *
 * An absolute IRI never starts with `"` or `_:` and is never empty, so the first
 * character tells the kinds apart; a literal's suffix starts after its last `"`.
 */
import type * as RDF from '@rdfjs/types'
// N3.js's terms, from their own module: `n3` itself loads its parsers, writers and
// store (and a stream library), ~50 ms at start-up that a program which never parses
// text does not need; formats.ts loads those when it first parses or writes.
import { createRequire } from 'node:module'
import type { DataFactory as N3DataFactory, Literal as N3LiteralClass } from 'n3'
import { InvalidRdfError } from './errors.js'

// Required, not imported: N3's terms module is CommonJS, and require gives the same
// `module.exports` under Node and under every test runner's interop.
const N3Terms = createRequire(import.meta.url)('n3/lib/N3DataFactory.js') as { default: typeof N3DataFactory, Literal: typeof N3LiteralClass }
const N3Literal = N3Terms.Literal
const DataFactory = N3Terms.default

export type { RDF }
export const factory: RDF.DataFactory<RDF.Quad, RDF.Quad> = N3Terms.default

export const XSD_STRING = 'http://www.w3.org/2001/XMLSchema#string'
export const RDF_LANG_STRING = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#langString'

export type QuadTerm = RDF.NamedNode | RDF.BlankNode | RDF.Literal | RDF.DefaultGraph

/** The canonical string form of a term (see the module header). */
export function termKey (term: RDF.Term): string {
  switch (term.termType) {
    case 'NamedNode': return term.value
    case 'BlankNode': return '_:' + term.value
    case 'DefaultGraph': return ''
    case 'Literal': {
      // N3's literals hold one string, mostly the canonical form already; taking it
      // spares building value, language and datatype apart only to join them again.
      if (term instanceof N3Literal) {
        const key = n3LiteralKey(term.id)
        if (key !== undefined) return key
      }
      const lexical = '"' + term.value + '"'
      if (term.language !== '') return lexical + '@' + term.language
      const datatype = term.datatype.value
      return datatype === XSD_STRING ? lexical : lexical + '^^' + datatype
    }
    default:
      throw new InvalidRdfError(`a ${term.termType} cannot be stored`)
  }
}

/**
 * The key of an N3 literal from its id, when the id is the key: `"lexical"` for an
 * xsd:string, `"lexical"^^datatype` otherwise. Ids of language-tagged literals (which
 * may carry a direction, not part of the key) are left to the general path.
 */
function n3LiteralKey (id: string): string | undefined {
  const end = id.lastIndexOf('"')
  if (end === id.length - 1) return id
  if (id.charCodeAt(end + 1) === 94 /* ^ */ && !id.endsWith(XSD_STRING)) return id
  return undefined
}

/** The term whose canonical string form is `key`. */
export function termFromKey (key: string): QuadTerm {
  if (key === '') return DataFactory.defaultGraph()
  const first = key.charCodeAt(0)
  if (first === 34 /* " */) {
    const end = key.lastIndexOf('"')
    const value = key.slice(1, end)
    if (end === key.length - 1) return DataFactory.literal(value)
    if (key.charCodeAt(end + 1) === 64 /* @ */) return DataFactory.literal(value, key.slice(end + 2))
    return DataFactory.literal(value, DataFactory.namedNode(key.slice(end + 3)))
  }
  if (first === 95 /* _ */ && key.charCodeAt(1) === 58 /* : */) return DataFactory.blankNode(key.slice(2))
  return DataFactory.namedNode(key)
}

// RFC 3987 absolute IRI, checked loosely the way N-Triples parsers do: a scheme,
// then no spaces, controls or the characters N-Triples forbids inside <>.
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0020<>"{}|^`\\]/

/** Throws InvalidRdfError unless `iri` is an absolute IRI. */
export function assertIri (iri: string): void {
  if (!iri.isWellFormed()) throw new InvalidRdfError(`<${iri.toWellFormed()}> is not well-formed Unicode (it has a lone surrogate)`)
  if (!SCHEME.test(iri)) throw new InvalidRdfError(`<${iri}> is not an absolute IRI`)
  const bad = FORBIDDEN.exec(iri)
  if (bad !== null) throw new InvalidRdfError(`<${iri}> contains the forbidden character ${JSON.stringify(bad[0])}`)
}

const LANGUAGE_TAG = /^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$/

// What a blank node label may not hold: N-Quads could not carry it back (whitespace, the
// characters N-Triples forbids in IRIs, quotes).
// eslint-disable-next-line no-control-regex
const BLANK_FORBIDDEN = /[\u0000-\u0020<>"{}|^`\\]/

/**
 * Throws InvalidRdfError unless the term is well-formed: an absolute IRI, a blank node
 * label N-Quads can carry, a literal with a valid language tag or datatype IRI, all of
 * it well-formed Unicode. The text checks of assertStorableQuad, and what a delta from
 * another replica must pass for each term it holds (delta.ts), so a replica only ever
 * stores what it could export and import again.
 */
export function assertStorableTerm (term: RDF.Term): void {
  if (term.termType === 'NamedNode') assertIri(term.value)
  if (term.termType === 'BlankNode') {
    if (term.value === '') throw new InvalidRdfError('a blank node needs a label')
    if (!term.value.isWellFormed()) throw new InvalidRdfError(`the blank node label ${term.value.toWellFormed()} is not well-formed Unicode (it has a lone surrogate)`)
    const bad = BLANK_FORBIDDEN.exec(term.value)
    if (bad !== null) throw new InvalidRdfError(`the blank node label ${JSON.stringify(term.value)} contains the forbidden character ${JSON.stringify(bad[0])}`)
  }
  if (term.termType === 'Literal') {
    // A lone surrogate has no UTF-8 form: the block would carry U+FFFD, and replicas differ.
    if (!term.value.isWellFormed()) throw new InvalidRdfError(`the literal "${term.value.toWellFormed()}" is not well-formed Unicode (it has a lone surrogate)`)
    if (term.language !== '' && !LANGUAGE_TAG.test(term.language)) {
      throw new InvalidRdfError(`"${term.language}" is not a valid language tag`)
    }
    if (term.language === '') assertIri(term.datatype.value)
  }
}

/** Throws InvalidRdfError unless the quad can be stored: every term of the right kind and well-formed. */
export function assertStorableQuad (quad: RDF.Quad): void {
  assertQuadShape(quad)
  assertStorableTerm(quad.subject)
  assertStorableTerm(quad.predicate)
  assertStorableTerm(quad.object)
  assertStorableTerm(quad.graph)
}

/**
 * Throws InvalidRdfError unless each term is of a kind its position allows, the
 * part of assertStorableQuad that does not depend on the terms' text.
 */
export function assertQuadShape (quad: RDF.Quad): void {
  const { subject, predicate, object, graph } = quad
  if (subject.termType !== 'NamedNode' && subject.termType !== 'BlankNode') {
    throw new InvalidRdfError(`a subject cannot be a ${subject.termType}`)
  }
  if (predicate.termType !== 'NamedNode') throw new InvalidRdfError(`a predicate must be an IRI, not a ${predicate.termType}`)
  if (object.termType !== 'NamedNode' && object.termType !== 'BlankNode' && object.termType !== 'Literal') {
    throw new InvalidRdfError(`an object cannot be a ${object.termType}`)
  }
  if (graph.termType !== 'NamedNode' && graph.termType !== 'BlankNode' && graph.termType !== 'DefaultGraph') {
    throw new InvalidRdfError(`a graph cannot be a ${graph.termType}`)
  }
}

/**
 * True when each of the quad's terms is the only term of its kind with its key. So
 * it is for every storable term; only an IRI that is empty or starts with `"` or
 * `_` (none of them absolute) could share its key with the default graph, a
 * literal or a blank node. For such a quad, a key that was checked once in a
 * storable quad needs no check again, whatever term it came from.
 */
export function keysAreUnambiguous (quad: RDF.Quad): boolean {
  return plainKey(quad.subject) && plainKey(quad.predicate) && plainKey(quad.object) && plainKey(quad.graph)
}

function plainKey (term: RDF.Term): boolean {
  if (term.termType !== 'NamedNode') return true
  const first = term.value.charCodeAt(0)
  return first !== 34 /* " */ && first !== 95 /* _ */ && term.value !== ''
}

/** The canonical string forms of a quad's four terms, in subject, predicate, object, graph order. */
export function quadKeys (quad: RDF.Quad): [string, string, string, string] {
  return [termKey(quad.subject), termKey(quad.predicate), termKey(quad.object), termKey(quad.graph)]
}

/** The quad whose terms have the canonical forms given. */
export function quadFromKeys (s: string, p: string, o: string, g: string): RDF.Quad {
  return DataFactory.quad(
    termFromKey(s) as RDF.Quad_Subject,
    termFromKey(p) as RDF.Quad_Predicate,
    termFromKey(o) as RDF.Quad_Object,
    termFromKey(g) as RDF.Quad_Graph
  )
}
