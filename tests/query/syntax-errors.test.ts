/** Syntax errors point at the token the parser stopped at and say what it expected there. */
import { describe, expect, it } from 'vitest'
import { parseSparql, RhizomeError } from '../../index.js'

function messageOf (text: string): string {
  try {
    parseSparql(text)
  } catch (err) {
    if (err instanceof RhizomeError) {
      expect(err.code).toBe('ERR_SPARQL_SYNTAX')
      return err.message
    }
    throw err
  }
  throw new Error('expected a syntax error')
}

describe('syntax error positions and expectations', () => {
  it.each([
    ['a FILTR typo on line 5', 'SELECT ?s\nWHERE {\n  ?s ?p ?o .\n\n  FILTR (?o > 1)\n}\n', /unexpected 'FILTR'; did you mean FILTER\?.*\(line 5, column 3\)$/],
    ['a FILTR typo on line 4', 'SELECT ?s\nWHERE {\n  ?s ?p ?o .\n  FILTR (?o > 1)\n}\n', /\(line 4, column 3\)$/],
    ['LIMT after the pattern', 'SELECT * WHERE { ?s ?p ?o . } LIMT 5', /unexpected 'LIMT'; did you mean LIMIT\?.*\(line 1, column 31\)$/],
    ['a missing closing brace', 'SELECT * WHERE { ?s ?p ?o ', /unexpected the end of the text \(expected .*'}'.*\) \(line 1, column 27\)$/],
    ['a variable in INSERT DATA', 'INSERT DATA {\n  <http://a> <http://b> ?x }', /INSERT DATA and DELETE DATA take no variables, but \?x is one \(line 2, column 25\)$/]
  ])('%s', (_name, text, pattern) => {
    expect(messageOf(text)).toMatch(pattern)
  })

  it('names the expected tokens in words: a term, keywords, punctuation', () => {
    expect(messageOf('SELECT ?s WHERE { ?s ?p ?o } ORDER ?s')).toMatch(/unexpected '\?s' \(expected BY\) \(line 1, column 36\)$/)
  })
})

describe('SELECT *', () => {
  it('keeps the variables in the order they first appear', async () => {
    const { openGraph } = await import('../../index.js')
    const graph = await openGraph()
    await graph.import('<http://e/a> <http://e/p> <http://e/b> .\n<http://e/b> <http://e/q> "1" .\n', { format: 'nt' })
    const result = await graph.query('SELECT * WHERE { ?z ?y ?a . OPTIONAL { ?a ?m ?b } }')
    if (result.type !== 'bindings') throw new Error('bindings expected')
    expect(result.variables.map(v => v.value)).toEqual(['z', 'y', 'a', 'm', 'b'])
    const distinct = await graph.query('SELECT DISTINCT * WHERE { ?z ?y ?a } LIMIT 1')
    if (distinct.type !== 'bindings') throw new Error('bindings expected')
    expect(distinct.variables.map(v => v.value)).toEqual(['z', 'y', 'a'])
    await graph.close()
  })
})
