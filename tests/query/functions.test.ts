/**
 * Function and operator semantics, table-driven: each expression is evaluated by
 * `SELECT (expr AS ?r) {}`; `undefined` means the expression is a type error
 * (the BIND leaves ?r unbound).
 */
import { describe, expect, it } from 'vitest'
import { MemorySource } from '../../query/index.js'
import { select } from './helpers.js'

const cases: Array<[string, string | undefined]> = [
  // numeric promotion and arithmetic
  ['1 + 2', '"3"^^xsd:integer'],
  ['1 + 2.5', '"3.5"^^xsd:decimal'],
  ['1 / 2', '"0.5"^^xsd:decimal'],
  ['1.1 + 10', '"11.1"^^xsd:decimal'],
  ['"1"^^xsd:float + 1', '"2.0E0"^^xsd:float'],
  ['2.0e0 * 3', '"6.0E0"^^xsd:double'],
  ['1 / 0', undefined],
  ['1.0e0 / 0', '"INF"^^xsd:double'],
  ['"a" + 1', undefined],
  ['-(3)', '"-3"^^xsd:integer'],
  // equality: value versus term
  ['1 = 1.0', '"true"^^xsd:boolean'],
  ['"01"^^xsd:integer = 1', '"true"^^xsd:boolean'],
  ['sameTerm("01"^^xsd:integer, 1)', '"false"^^xsd:boolean'],
  ['"a" = "a"@en', '"false"^^xsd:boolean'],
  ['"a"^^<http://ex/t> = "b"^^<http://ex/t>', undefined],
  ['<http://a> = <http://a>', '"true"^^xsd:boolean'],
  ['"2020-01-01T00:00:00Z"^^xsd:dateTime < "2020-01-01T00:00:01Z"^^xsd:dateTime', '"true"^^xsd:boolean'],
  ['"2020-01-01T00:00:00"^^xsd:dateTime < "2020-01-01T00:00:01Z"^^xsd:dateTime', undefined],
  ['"b" > "a"', '"true"^^xsd:boolean'],
  ['1 < "a"', undefined],
  // logical operators and errors
  ['true || (1/0)', '"true"^^xsd:boolean'],
  ['false || (1/0)', undefined],
  ['false && (1/0)', '"false"^^xsd:boolean'],
  ['!"" ', '"true"^^xsd:boolean'],
  ['1 IN (2, 1)', '"true"^^xsd:boolean'],
  ['1 NOT IN (2, 3)', '"true"^^xsd:boolean'],
  ['IF(1 > 0, "y", "n")', '"y"'],
  ['COALESCE(1/0, 7)', '"7"^^xsd:integer'],
  // strings and language tags
  ['STRLEN("chat")', '"4"^^xsd:integer'],
  ['SUBSTR("foobar", 4)', '"bar"'],
  ['SUBSTR("foobar"@en, 2, 3)', '"oob"@en'],
  ['UCASE("abc"@fr)', '"ABC"@fr'],
  ['CONCAT("a"@en, "b"@en)', '"ab"@en'],
  ['CONCAT("a"@en, "b")', '"ab"'],
  ['STRSTARTS("foobar"@en, "foo")', '"true"^^xsd:boolean'],
  ['STRSTARTS("foobar", "foo"@en)', undefined],
  ['STRBEFORE("abc"@en, "b")', '"a"@en'],
  ['STRBEFORE("abc"@en, "z")', '""'],
  ['STRAFTER("abc", "b")', '"c"'],
  ['CONTAINS("abc", "bc")', '"true"^^xsd:boolean'],
  ['ENCODE_FOR_URI("a b/c")', '"a%20b%2Fc"'],
  ['LANGMATCHES(LANG("x"@en-GB), "en")', '"true"^^xsd:boolean'],
  ['LANGMATCHES("", "*")', '"false"^^xsd:boolean'],
  ['REGEX("Alice", "^al", "i")', '"true"^^xsd:boolean'],
  ['REPLACE("abcd", "b(c)", "[$1]")', '"a[c]d"'],
  ['REPLACE("abc", "x*", "-")', undefined],
  ['STR(<http://ex/a>)', '"http://ex/a"'],
  ['LANG("a"@en)', '"en"'],
  ['DATATYPE("a"@en)', '<http://www.w3.org/1999/02/22-rdf-syntax-ns#langString>'],
  ['DATATYPE("a")', '<http://www.w3.org/2001/XMLSchema#string>'],
  ['STRDT("1", xsd:integer)', '"1"^^xsd:integer'],
  ['STRLANG("chat", "fr")', '"chat"@fr'],
  ['IRI("http://ex/a")', '<http://ex/a>'],
  ['isNumeric("1"^^xsd:integer)', '"true"^^xsd:boolean'],
  ['isNumeric("x"^^xsd:integer)', '"false"^^xsd:boolean'],
  // hashes
  ['MD5("abc")', '"900150983cd24fb0d6963f7d28e17f72"'],
  ['SHA1("abc")', '"a9993e364706816aba3e25717850c26c9cd0d89d"'],
  ['SHA256("abc")', '"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"'],
  ['MD5("abc"@en)', undefined],
  // numerics
  ['ABS(-2.5)', '"2.5"^^xsd:decimal'],
  ['ROUND(2.5)', '"3.0"^^xsd:decimal'],
  ['ROUND(-2.5)', '"-2.0"^^xsd:decimal'],
  ['CEIL(1.2)', '"2.0"^^xsd:decimal'],
  ['FLOOR(-1.2)', '"-2.0"^^xsd:decimal'],
  // dates
  ['YEAR("2011-01-10T14:45:13.815-05:00"^^xsd:dateTime)', '"2011"^^xsd:integer'],
  ['SECONDS("2011-01-10T14:45:13.815-05:00"^^xsd:dateTime)', '"13.815"^^xsd:decimal'],
  ['TIMEZONE("2011-01-10T14:45:13-05:00"^^xsd:dateTime)', '"-PT5H"^^xsd:dayTimeDuration'],
  ['TIMEZONE("2011-01-10T14:45:13"^^xsd:dateTime)', undefined],
  ['TZ("2011-01-10T14:45:13Z"^^xsd:dateTime)', '"Z"'],
  ['TZ("2011-01-10T14:45:13"^^xsd:dateTime)', '""'],
  // casts
  ['xsd:integer("12")', '"12"^^xsd:integer'],
  ['xsd:integer("1.5")', undefined],
  ['xsd:integer(1.9)', '"1"^^xsd:integer'],
  ['xsd:boolean("1")', '"true"^^xsd:boolean'],
  ['xsd:string(1.0)', '"1"'],
  ['xsd:double("1e3")', '"1.0E3"^^xsd:double'],
  ['xsd:dateTime("2020-01-01T00:00:00Z")', '"2020-01-01T00:00:00Z"^^xsd:dateTime'],
  ['xsd:integer(<http://ex/a>)', undefined],
  ['<http://ex/unknown-function>(1)', undefined]
]

describe('SPARQL functions and operators', () => {
  const source = new MemorySource()
  it.each(cases)('%s → %s', async (expr, expected) => {
    const rows = await select(source, `PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> SELECT (${expr} AS ?r) {}`)
    expect(rows).toHaveLength(1)
    expect(rows[0]!.r).toBe(expected)
  })

  it('gives BNODE() a fresh node per call and BNODE(str) one node per string within a solution', async () => {
    const rows = await select(source, 'SELECT (BNODE() AS ?a) (BNODE() AS ?b) (BNODE("x") AS ?c) (BNODE("x") AS ?d) {}')
    const result = await (await import('../../query/index.js')).executeQuery(source, 'SELECT ?a ?b ?c ?d { BIND(BNODE() AS ?a) BIND(BNODE() AS ?b) BIND(BNODE("x") AS ?c) BIND(BNODE("x") AS ?d) }')
    if (result.type !== 'bindings') throw new Error('bindings expected')
    for await (const s of result) {
      expect(s.get('a')!.equals(s.get('b')!)).toBe(false)
      expect(s.get('c')!.equals(s.get('d')!)).toBe(true)
    }
    expect(rows).toHaveLength(1)
  })

  it('keeps NOW() constant within a query and makes UUID()/STRUUID() well-formed', async () => {
    const rows = await select(source, 'SELECT (NOW() AS ?a) (NOW() AS ?b) (STRUUID() AS ?s) (UUID() AS ?u) (RAND() AS ?r) {}')
    expect(rows[0]!.a).toBe(rows[0]!.b)
    expect(rows[0]!.s).toMatch(/^"[0-9a-f-]{36}"$/)
    expect(rows[0]!.u).toMatch(/^<urn:uuid:[0-9a-f-]{36}>$/)
    expect(rows[0]!.r).toMatch(/\^\^xsd:double$/)
  })
})
