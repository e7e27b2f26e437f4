/**
 * Reading the W3C SPARQL manifests (../shared/w3c-sparql or $RHIZOME_W3C_SUITES, see its README): the
 * published base https://w3c.github.io/rdf-tests/ maps to the local folder, every
 * relative IRI resolves against its manifest's URL, and tests are listed in
 * mf:entries order, following mf:include.
 */
import type * as RDF from '@rdfjs/types'
import { readFileSync, existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Parser, Store } from 'n3'
import { parseRdfXml } from './rdfxml.js'

const here = path.dirname(fileURLToPath(import.meta.url))
export const repoRoot = path.resolve(here, '../..')
/** The suites' folder: RHIZOME_W3C_SUITES, else ../shared/w3c-sparql beside the checkout (as bench data's RHIZOME_BENCH_DATA). */
export const suiteRoot = path.resolve(repoRoot, process.env.RHIZOME_W3C_SUITES ?? '../shared/w3c-sparql')
export const BASE = 'https://w3c.github.io/rdf-tests/'

export const MF = 'http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#'
export const QT = 'http://www.w3.org/2001/sw/DataAccess/tests/test-query#'
export const UT = 'http://www.w3.org/2009/sparql/tests/test-update#'
export const RDFNS = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#'
export const RDFS = 'http://www.w3.org/2000/01/rdf-schema#'
export const RS = 'http://www.w3.org/2001/sw/DataAccess/tests/result-set#'
const SD = 'http://www.w3.org/ns/sparql-service-description#'

export function iriToPath (iri: string): string {
  if (!iri.startsWith(BASE)) throw new Error(`not a test-suite IRI: ${iri}`)
  return path.join(suiteRoot, decodeURIComponent(iri.slice(BASE.length)))
}

export function pathToIri (file: string): string {
  return BASE + path.relative(suiteRoot, file).split(path.sep).join('/')
}

export function readText (iri: string): string { return readFileSync(iriToPath(iri), 'utf8') }
export function exists (iri: string): boolean { return iri.startsWith(BASE) && existsSync(iriToPath(iri)) }

/** Parses an RDF file of the suite (Turtle, N-Triples, RDF/XML) with its URL as base. */
export function readRdf (iri: string): RDF.Quad[] {
  const text = readText(iri)
  if (iri.endsWith('.rdf')) return parseRdfXml(text, iri)
  const format = iri.endsWith('.nt') ? 'application/n-triples' : iri.endsWith('.nq') ? 'application/n-quads' : 'text/turtle'
  return new Parser({ format, baseIRI: iri }).parse(text) as RDF.Quad[]
}

export interface TestCase {
  iri: string
  type: string
  name: string
  manifest: string
  /** Folder of the manifest relative to the suite, e.g. sparql11/bind. */
  directory: string
  requires: string[]
  approval: string | undefined
  laxCardinality: boolean
  action: RDF.Term
  result: RDF.Term | undefined
  store: Store
}

function list (store: Store, head: RDF.Term): RDF.Term[] {
  const out: RDF.Term[] = []
  let cur = head
  while (cur.value !== RDFNS + 'nil') {
    const first = store.getObjects(cur, RDFNS + 'first', null)[0]
    if (first === undefined) break
    out.push(first)
    cur = store.getObjects(cur, RDFNS + 'rest', null)[0]!
  }
  return out
}

export function one (store: Store, s: RDF.Term, p: string): RDF.Term | undefined {
  return store.getObjects(s, p, null)[0]
}
export function all (store: Store, s: RDF.Term, p: string): RDF.Term[] {
  return store.getObjects(s, p, null)
}

export function loadManifest (iri: string, out: TestCase[] = [], seen = new Set<string>()): TestCase[] {
  if (seen.has(iri)) return out
  seen.add(iri)
  const store = new Store(new Parser({ baseIRI: iri }).parse(readText(iri)))
  const manifests = store.getSubjects(RDFNS + 'type', MF + 'Manifest', null)
  const directory = path.relative(suiteRoot, path.dirname(iriToPath(iri))).split(path.sep).slice(1).join('/')
  for (const m of manifests) {
    for (const inc of all(store, m, MF + 'include')) for (const i of list(store, inc)) loadManifest(i.value, out, seen)
    for (const entries of all(store, m, MF + 'entries')) {
      for (const t of list(store, entries)) {
        const types = all(store, t, RDFNS + 'type').map(x => x.value.replace(MF, 'mf:'))
        const action = one(store, t, MF + 'action')
        if (action === undefined) continue
        out.push({
          iri: t.value,
          type: types[0] ?? 'unknown',
          name: one(store, t, MF + 'name')?.value ?? t.value,
          manifest: iri,
          directory,
          requires: all(store, t, MF + 'requires').map(x => x.value.replace(MF, 'mf:')),
          approval: one(store, t, 'http://www.w3.org/2001/sw/DataAccess/tests/test-dawg#approval')?.value,
          laxCardinality: one(store, t, MF + 'resultCardinality')?.value === MF + 'LaxCardinality',
          action,
          result: one(store, t, MF + 'result'),
          store
        })
      }
    }
  }
  return out
}

export function isEntailment (t: TestCase): boolean {
  return t.action.termType !== 'NamedNode' && one(t.store, t.action, SD + 'entailmentRegime') !== undefined
}
