/** Valid inputs the fuzzers start from, and tokens of each syntax that edits insert. */
import type { RdfFormat } from '../../quad-model/index.js'

export const DATA = `
@prefix : <http://e/> .
:a :p 1, 2, "x"@en ; :q :b .
:b :p "3"^^<http://www.w3.org/2001/XMLSchema#integer> ; :r ( 1 2 3 ) .
:c :p [ :q "nested" ] .
:g { :a :p :c . :c :q "in g" . }
`

export const QUERIES = [
  'PREFIX : <http://e/> SELECT * { ?s :p ?o }',
  'PREFIX : <http://e/> SELECT ?s (COUNT(?o) AS ?n) { ?s :p ?o } GROUP BY ?s HAVING (COUNT(?o) > 1) ORDER BY DESC(?n)',
  'PREFIX : <http://e/> SELECT * { ?s :p ?o OPTIONAL { ?o :q ?x } FILTER(isLiteral(?o) || ?o != :c) }',
  'PREFIX : <http://e/> SELECT * { { ?s :p ?o } UNION { GRAPH ?g { ?s ?p ?o } } MINUS { ?s :q ?z } }',
  'PREFIX : <http://e/> SELECT ?x { ?s :r/rdf:rest*/rdf:first ?x }'.replace('rdf:', 'PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> '),
  'PREFIX : <http://e/> SELECT * { ?s ?p ?o BIND(CONCAT(STR(?o), "-", LCASE("A")) AS ?c) FILTER(REGEX(?c, "^[0-9x]", "i")) } LIMIT 5',
  'PREFIX : <http://e/> SELECT (SUM(?o) AS ?t) (GROUP_CONCAT(?o; separator=",") AS ?all) { VALUES ?o { 1 2 3.5 "4"^^<http://www.w3.org/2001/XMLSchema#integer> } }',
  'PREFIX : <http://e/> ASK { ?s :p ?o FILTER EXISTS { ?o :q ?x } FILTER NOT EXISTS { ?s :r ?y } }',
  'PREFIX : <http://e/> CONSTRUCT { ?o :inverse ?s } WHERE { ?s :p ?o FILTER(!isLiteral(?o)) }',
  'PREFIX : <http://e/> SELECT * { { SELECT ?s (MAX(?o) AS ?m) { ?s :p ?o } GROUP BY ?s } BIND(?m + 1 AS ?n) BIND(REPLACE(STR(?s), "(e)/", "$1#") AS ?r) }',
  'DESCRIBE <http://e/a>',
  'SELECT * { ?s ?p ?o FILTER(xsd:integer(?o) * 2 > 3 && STRLEN(STR(?o)) < 10) }'.replace('xsd:integer', '<http://www.w3.org/2001/XMLSchema#integer>')
]

export const UPDATES = [
  'PREFIX : <http://e/> INSERT DATA { :n1 :p "new" . GRAPH :g2 { :n1 :q 2 } }',
  'PREFIX : <http://e/> DELETE { ?s :p ?o } INSERT { ?s :p2 ?o } WHERE { ?s :p ?o FILTER(isNumeric(?o)) }',
  'PREFIX : <http://e/> DELETE WHERE { ?s :q ?o }',
  'PREFIX : <http://e/> WITH :g INSERT { ?s :copied true } WHERE { ?s ?p ?o }',
  'PREFIX : <http://e/> CLEAR GRAPH :g ; COPY DEFAULT TO :g3 ; DROP SILENT GRAPH :none',
  'PREFIX : <http://e/> INSERT { ?s :len ?l } WHERE { ?s ?p ?o BIND(STRLEN(STR(?o)) AS ?l) }',
  'LOAD <file:///etc/passwd>',
  'PREFIX : <http://e/> DELETE DATA { :a :p 1 } ; INSERT DATA { :a :p 10 }'
]

export const QUERY_TOKENS = [
  '{', '}', '(', ')', '[', ']', '.', ';', ',', '?x', '?s', '_:b', '<http://e/z>', '"s"', '"""long"""', "'q'", '1', '-2.5e3',
  '9'.repeat(400), ' && ', ' || ', ' + ', ' * ', '/', '|', '^', '*', '+', '?', '!', ' = ', ' < ', 'FILTER ', 'OPTIONAL ', 'UNION ', 'MINUS ',
  'GRAPH ?g ', 'BIND(1 AS ?b) ', 'VALUES ?v { 1 2 } ', 'SERVICE <http://e/> ', 'COUNT(', 'SUM(', 'GROUP BY ?s ', 'ORDER BY ?o ',
  'LIMIT 1 ', 'OFFSET 2 ', 'DISTINCT ', 'REGEX(', 'REPLACE(', 'CONCAT(', 'EXISTS ', 'NOT ', 'IF(', 'COALESCE(', 'STRDT(',
  'LANG(', 'xsd:integer', '<http://www.w3.org/2001/XMLSchema#integer>(', '\\u0041', '# comment\n', '@en', '^^', 'a ',
  'INSERT DATA ', 'DELETE ', 'WHERE ', 'LOAD ', 'CLEAR ALL', ' ; ', '(a*)*b', '<<', '>>'
]

const NT = '<http://e/a> <http://e/p> "1" .\n<http://e/a> <http://e/q> _:b0 .\n_:b0 <http://e/p> "x"@en .\n<http://e/c> <http://e/p> "2"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
const NQ = NT + '<http://e/a> <http://e/p> "in g" <http://e/g> .\n_:b1 <http://e/p> <http://e/a> _:g .\n'
const TTL = '@prefix : <http://e/> .\n@base <http://e/base/> .\n:a :p 1, 2.5, "x"@en ; :q [ :r ( 1 2 ( 3 ) ) ] .\n<rel> a :C ; :s """long\nstring""" .\n'
const TRIG = TTL + ':g { :a :p :b . [ :p 1 ] :q ( ) . }\nGRAPH :h { :c :p "in h" }\n'

const RDFXML = '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://e/">\n  <rdf:Description rdf:about="http://e/a"><e:p>1</e:p><e:q rdf:resource="http://e/b"/><e:r rdf:parseType="Resource"><e:p xml:lang="en">x</e:p></e:r></rdf:Description>\n</rdf:RDF>\n'
const JSONLD = '{"@context": {"e": "http://e/", "p": {"@id": "e:p", "@type": "http://www.w3.org/2001/XMLSchema#integer"}}, "@graph": [{"@id": "e:a", "p": "1", "e:q": {"@id": "e:b"}, "e:r": [{"@value": "x", "@language": "en"}]}, {"@id": "e:g", "@graph": {"@id": "e:c", "e:p": "in g"}}]}\n'

export const RDF_CORPUS: Record<RdfFormat, string[]> = { ntriples: [NT], nquads: [NQ], turtle: [TTL], trig: [TRIG], rdfxml: [RDFXML], jsonld: [JSONLD] }

export const RDF_TOKENS = [
  '<', '>', '<http://e/z>', '<rel>', '"', '"s"', '"""', '\\', '\\u00', '@', '@en', '^^', '_:', '_:b9', '.', ';', ',', '(', ')', '[', ']',
  '{', '}', ':', 'a ', '@prefix x: <http://x/> .', 'PREFIX y: <http://y/>', '@base <http://b/> .', '1', '-0.5', '1e9', 'true', '\n',
  ' ', '#', '\u0000', '<<', '>>', 'GRAPH ', '<http://e/a b>', '"\\uD800"'
]
