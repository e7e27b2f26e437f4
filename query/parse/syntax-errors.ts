/**
 * What a syntax error says: where the parser stopped and what it expected there, in
 * words a person knows. Jison's error hash gives the lexer's line (0-based: the line
 * of the token it could not use) and the location of the token before it, which is
 * where the old message pointed (a FILTR typo on line 5 was reported after the '.'
 * on line 4); the offending token is found from the lexer's line. The expected
 * tokens are Jison's terminal names: keywords are kept, term tokens (IRIREF, VAR,
 * STRING_LITERAL1, …) become "a term", and a word one or two letters from an expected
 * keyword is named ("did you mean FILTER?").
 */
import type { TextPosition } from '../errors.js'

export interface JisonHash {
  text?: string
  token?: string
  line?: number
  loc?: { first_line?: number, last_line?: number, first_column?: number, last_column?: number }
  expected?: string[]
}

/** The terminals that stand for a term (an IRI, a literal, a variable, a blank node). */
const TERM_TOKEN = /^(IRIREF|PNAME_NS|PNAME_LN|VAR|NIL|INTEGER.*|DECIMAL.*|DOUBLE.*|BOOLEAN|STRING_LITERAL.*|BLANK_NODE_LABEL|ANON|LANGTAG)$/
/** Terminals that are not words a person types. */
const HIDDEN = /^(EOF|INVALID|FUNC_.*|<<|>>|\{\||\|\})$/

/** The position of the token the parser could not use, and that token as written. */
export function offendingToken (hash: JisonHash, text: string): { position: TextPosition, got: string } | undefined {
  const lines = text.split('\n')
  if (hash.token === 'EOF') {
    const line = lines.length
    return { position: { line, column: lines[line - 1].length + 1 }, got: 'the end of the text' }
  }
  if (typeof hash.line !== 'number') return undefined
  const lineIndex = hash.line
  const lineText = lines[lineIndex]
  if (lineText === undefined) return undefined
  // Search after the previous token when it ends on the same line.
  const from = hash.loc?.last_line === lineIndex + 1 ? hash.loc.last_column ?? 0 : 0
  const needle = hash.text ?? ''
  let at = needle === '' ? -1 : lineText.indexOf(needle, from)
  if (at < 0) at = lineText.slice(from).search(/\S/) + from
  if (at < from) at = from
  const word = /^[^\s{}()[\].;,]+/.exec(lineText.slice(at))?.[0] ?? lineText.charAt(at)
  return { position: { line: lineIndex + 1, column: at + 1 }, got: word === '' ? 'the end of the line' : word }
}

/** "unexpected FILTR; did you mean FILTER? (expected a term, FILTER, OPTIONAL, … or '}')". */
export function describeExpected (got: string, expected: readonly string[]): string {
  const names = expected.map(t => t.replace(/^'(.*)'$/, '$1'))
  const words: string[] = []
  let term = false
  for (const name of names) {
    if (TERM_TOKEN.test(name)) term = true
    else if (!HIDDEN.test(name)) words.push(/^[A-Za-z]/.test(name) ? name : `'${name}'`)
  }
  const keywords = words.filter(w => /^[A-Za-z_]+$/.test(w))
  const near = nearest(got, keywords)
  const shown = [...(term ? ['a term'] : []), ...words]
  const list = shown.length <= 10 ? joinOr(shown) : `${shown.slice(0, 10).join(', ')}, …`
  const quoted = /^the end/.test(got) ? got : `'${got}'`
  return `unexpected ${quoted}${near === undefined ? '' : `; did you mean ${near}?`}${shown.length === 0 ? '' : ` (expected ${list})`}`
}

function joinOr (items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`
}

/** The keyword within two edits of `word` (case aside), the closest, or undefined. */
function nearest (word: string, keywords: readonly string[]): string | undefined {
  const w = word.toUpperCase()
  let best: string | undefined
  let bestDistance = 3
  for (const k of keywords) {
    if (k.length < 3 || Math.abs(k.length - w.length) > 2) continue
    const d = distance(w, k.toUpperCase())
    if (d > 0 && d < bestDistance) { best = k; bestDistance = d }
  }
  return best
}

function distance (a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const next = [i]
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    row = next
  }
  return row[b.length]
}

/** Where the first variable of an INSERT DATA or DELETE DATA block is, and its name. */
export function variableInData (text: string): { position: TextPosition, name: string } | undefined {
  const data = /\b(INSERT|DELETE)\s+DATA\b/i.exec(text)
  if (data === null) return undefined
  const rest = text.slice(data.index)
  const match = /[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+/.exec(rest)
  if (match === null) return undefined
  const i = data.index + match.index
  const before = text.slice(0, i)
  return { position: { line: before.split('\n').length, column: i - before.lastIndexOf('\n') }, name: match[0] }
}
