/**
 * The SPARQL 1.1 Service Description (https://www.w3.org/TR/sparql11-service-description/)
 * answered by a GET on the endpoint without a query: what the endpoint speaks, in Turtle
 * (or N-Triples when asked), small and built per request from the settings.
 */
import { SOLUTION_MEDIA_TYPES, GRAPH_MEDIA } from './results.js'
import type { ServerSettings } from './context.js'

const FORMAT_IRIS: Record<string, string> = {
  'application/sparql-results+json': 'http://www.w3.org/ns/formats/SPARQL_Results_JSON',
  'application/sparql-results+xml': 'http://www.w3.org/ns/formats/SPARQL_Results_XML',
  'text/csv': 'http://www.w3.org/ns/formats/SPARQL_Results_CSV',
  'text/tab-separated-values': 'http://www.w3.org/ns/formats/SPARQL_Results_TSV',
  'text/turtle': 'http://www.w3.org/ns/formats/Turtle',
  'application/n-triples': 'http://www.w3.org/ns/formats/N-Triples',
  'application/n-quads': 'http://www.w3.org/ns/formats/N-Quads',
  'application/trig': 'http://www.w3.org/ns/formats/TriG',
  'application/ld+json': 'http://www.w3.org/ns/formats/JSON-LD',
  'application/rdf+xml': 'http://www.w3.org/ns/formats/RDF_XML'
}

const SD = 'http://www.w3.org/ns/sparql-service-description#'

/** The description as N-Triples lines (which are Turtle too). */
export function serviceDescription (endpoint: string, settings: ServerSettings): string {
  const service = '_:service'
  const lines: string[] = []
  const add = (s: string, p: string, o: string): void => { lines.push(`${s} <${p}> ${o} .`) }
  add(service, 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type', `<${SD}Service>`)
  add(service, SD + 'endpoint', `<${endpoint}>`)
  add(service, SD + 'supportedLanguage', `<${SD}SPARQL11Query>`)
  if (settings.allowUpdate) add(service, SD + 'supportedLanguage', `<${SD}SPARQL11Update>`)
  if (settings.services.length > 0) add(service, SD + 'feature', `<${SD}BasicFederatedQuery>`)
  for (const type of new Set([...SOLUTION_MEDIA_TYPES, ...GRAPH_MEDIA])) {
    const iri = FORMAT_IRIS[type]
    if (iri !== undefined) add(service, SD + 'resultFormat', `<${iri}>`)
  }
  add(service, SD + 'defaultDataset', '_:dataset')
  add('_:dataset', 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type', `<${SD}Dataset>`)
  add('_:dataset', SD + 'defaultGraph', '_:default')
  add('_:default', 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type', `<${SD}Graph>`)
  return lines.join('\n') + '\n'
}
