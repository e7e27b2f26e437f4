/**
 * W3C tests that are known to fail, each with the reason. The runner fails the
 * build if a listed test passes (so this list stays true) or an unlisted one fails.
 */
export const knownFailures: Record<string, string> = {
  'http://www.w3.org/2001/sw/DataAccess/tests/data-r2/basic/manifest#term-8':
    'sparqljs 3.7.4 drops the sign of a positive numeric literal (+5 becomes "5"), so the pattern no longer matches the stored "+5"^^xsd:integer',
  'http://www.w3.org/2001/sw/DataAccess/tests/data-r2/construct/manifest#construct-3':
    'sparqljs 3.7.4 crashes (TypeError) on a CONSTRUCT template made of a bare blank-node property list `[ … ] .`'
}
