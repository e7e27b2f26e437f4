/**
 * Stage 1, parsing: SPARQL text to a sparqljs syntax tree.
 *
 * Contract: a tree comes back only for a text that is a SPARQL 1.1 query or
 * update request, the static rules sparqljs does not check included (shared
 * blank-node labels, BIND scope, blank nodes in DELETE); every failure is a
 * SparqlSyntaxError with a line and column where one can be found. Parsing is
 * pure: no source, no I/O, the same tree for the same text and options.
 * Cost: linear in the text; the static checks walk the tree once each.
 */
export { parseSparql, parseQuery, parseUpdate, type ParseOptions } from './sparql.js'
