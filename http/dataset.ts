/**
 * The protocol's dataset parameters: `default-graph-uri` / `named-graph-uri` for a
 * query and `using-graph-uri` / `using-named-graph-uri` for an update. The engine takes
 * its dataset from the text (FROM, FROM NAMED, USING), so the parameters are written
 * into the syntax tree and the text regenerated. A query's own FROM is replaced (the
 * protocol's dataset wins, SPARQL 1.1 Protocol §2.1.4); an update that names its own
 * USING or WITH as well is refused (§2.2.3: 400).
 * Relative IRIs resolve against the endpoint, as they would in the engine.
 * Cost: a parse and a generation of the text, only when a parameter is given.
 */
import * as sparqljs from 'sparqljs'
import { factory, parseSparql } from '../index.js'
import { HttpError } from './errors.js'

export interface DatasetParams { defaultGraphs: string[], namedGraphs: string[] }

const none = (d: DatasetParams): boolean => d.defaultGraphs.length === 0 && d.namedGraphs.length === 0

const iris = (list: string[]): ReturnType<typeof factory.namedNode>[] => list.map(iri => factory.namedNode(iri))

const generator = new sparqljs.Generator()

export function queryWithDataset (text: string, dataset: DatasetParams, baseIRI: string): string {
  if (none(dataset)) return text
  const ast = parseSparql(text, { baseIRI }) as sparqljs.Query
  if (ast.type !== 'query') throw new HttpError('ERR_HTTP_BAD_REQUEST', 'expected a query, got an update request')
  ast.from = { default: iris(dataset.defaultGraphs), named: iris(dataset.namedGraphs) }
  return generator.stringify(ast)
}

export function updateWithDataset (text: string, dataset: DatasetParams, baseIRI: string): string {
  if (none(dataset)) return text
  const ast = parseSparql(text, { baseIRI }) as sparqljs.Update
  if (ast.type !== 'update') throw new HttpError('ERR_HTTP_BAD_REQUEST', 'expected an update request, got a query')
  for (const op of ast.updates) {
    if (!('updateType' in op) || op.updateType !== 'insertdelete') continue
    if (op.using !== undefined || op.graph !== undefined) {
      throw new HttpError('ERR_HTTP_BAD_REQUEST', 'the request names a dataset both in using-graph-uri / using-named-graph-uri and in USING or WITH')
    }
    op.using = { default: iris(dataset.defaultGraphs), named: iris(dataset.namedGraphs) }
  }
  return generator.stringify(ast)
}
