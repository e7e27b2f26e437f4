/**
 * Results formats: a query's result written as text in the W3C formats. SELECT
 * and ASK as SPARQL Results JSON, XML, CSV and TSV; CONSTRUCT and DESCRIBE as
 * N-Triples, N-Quads, Turtle or flat JSON-LD.
 *
 * Contract: the bindings writers stream, one text chunk per solution, pulling
 * the result as the consumer pulls them; the first chunk carries the header, so
 * an empty result is still a complete document. Terms are written losslessly
 * except in CSV, which is lossy by the spec's design. The writers only read the
 * result; they hold no state between calls.
 * Cost: the bindings writers hold one solution; `writeQuads` returns the whole
 * document as one string.
 */
export { writeResultsJson } from './json.js'
export { writeResultsXml } from './xml.js'
export { writeResultsCsv, writeResultsTsv, termToNTriples } from './csv-tsv.js'
export { writeQuads, type RdfFormat } from './rdf.js'
