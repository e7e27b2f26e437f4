/**
 * The size and depth limits every query and update passes before the engine does
 * work that grows with them: a text from the network must not make the parser,
 * the planner or the evaluator run out of stack or time. Each limit has a default,
 * an option (`QueryOptions.limits`, `UpdateOptions.limits`) and an error code:
 * ERR_QUERY_TOO_LARGE (QueryTooLargeError, naming the limit) or ERR_QUERY_TOO_DEEP
 * (QueryTooDeepError). docs/LIMITS.md lists them.
 *
 * Checked in three places, each a walk with an explicit stack (no recursion, so a
 * deep input cannot overflow the check itself):
 *  - the text, before parsing: its length, and the nesting of (), {} and []
 *    outside strings, IRIs and comments (the parser is slow on deep nesting);
 *  - the syntax tree: its depth (an n-term `a && b && …` or `1 + 1 + …` chain is n
 *    deep, as the parser builds it), triple patterns, VALUES rows;
 *  - the algebra, after translation: its depth (a group of n BINDs is n extends).
 * Cost: one pass over the text and one over each tree.
 */
import { QueryTooDeepError, QueryTooLargeError } from './errors.js'

export interface QueryLimits {
  /** Characters of query or update text. Default 262,144 (256 Ki). */
  maxQueryLength?: number
  /** Nesting depth of brackets, expressions and operators. Default 400. */
  maxDepth?: number
  /** Triple patterns (and quad templates) in the whole request. Default 1,000. */
  maxTriplePatterns?: number
  /** Rows of all VALUES blocks together. Default 10,000. */
  maxValuesRows?: number
}

/**
 * The defaults. maxDepth: with the limit lifted, 1,500-deep nesting of each kind (`&&`,
 * `1 + …`, CONCAT, groups, BINDs) runs inside Node's default stack and 2,500 does not
 * (docs/LIMITS.md has the command); 400 leaves room for a caller deep in its own stack. maxTriplePatterns: parsing and
 * planning a 1,000-pattern chain takes 0.7 s (4,000: 4.4 s before the limit; planning is
 * quadratic in the patterns), so a request cannot buy seconds of planning. maxQueryLength and maxValuesRows bound what one request parses:
 * sparqljs reads about 150 KB a second (4,000 patterns, 200 KB: 1.4 s; 6,000 VALUES rows:
 * 0.5 s), so the longest text admitted parses in under 2 s, and a deadline stops it sooner.
 */
export const DEFAULT_QUERY_LIMITS: Readonly<Required<QueryLimits>> = Object.freeze({
  maxQueryLength: 262_144,
  maxDepth: 400,
  maxTriplePatterns: 1_000,
  maxValuesRows: 10_000
})

export function resolveLimits (limits: QueryLimits | undefined): Required<QueryLimits> {
  return { ...DEFAULT_QUERY_LIMITS, ...stripUndefined(limits) }
}

function stripUndefined (limits: QueryLimits | undefined): QueryLimits {
  const out: QueryLimits = {}
  if (limits === undefined) return out
  for (const [k, v] of Object.entries(limits)) if (v !== undefined) (out as Record<string, number>)[k] = v
  return out
}

/** Length and bracket depth of the text, before the parser sees it. */
export function checkText (text: string, limits: Required<QueryLimits>): void {
  if (text.length > limits.maxQueryLength) throw new QueryTooLargeError('maxQueryLength', limits.maxQueryLength, text.length)
  let depth = 0
  const n = text.length
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i)
    switch (c) {
      case 0x28: case 0x7b: case 0x5b: // ( { [
        if (++depth > limits.maxDepth) throw new QueryTooDeepError(limits.maxDepth)
        break
      case 0x29: case 0x7d: case 0x5d: // ) } ]
        if (depth > 0) depth--
        break
      case 0x23: { // # comment to the end of the line
        const end = text.indexOf('\n', i)
        i = end < 0 ? n : end
        break
      }
      case 0x22: case 0x27: i = skipString(text, i); break // " '
      case 0x3c: { // < an IRI, or less-than
        const m = IRIREF.exec(text.slice(i, i + 4096))
        if (m !== null) i += m[0].length - 1
        break
      }
      default: break
    }
  }
}

// eslint-disable-next-line no-control-regex -- IRIREF excludes the control characters (§19.8)
const IRIREF = /^<[^<>"{}|^`\\\u0000-\u0020]*>/

/** The index of a string's last character (its closing quote), or the end of the text. */
function skipString (text: string, i: number): number {
  const q = text[i]!
  const long = text.startsWith(q + q + q, i)
  let j = i + (long ? 3 : 1)
  while (j < text.length) {
    const c = text[j]!
    if (c === '\\') { j += 2; continue }
    if (long ? text.startsWith(q + q + q, j) : c === q) return j + (long ? 2 : 0)
    if (!long && (c === '\n' || c === '\r')) return j
    j++
  }
  return text.length
}

/**
 * Depth, triple patterns and VALUES rows of a sparqljs tree. Terms are leaves; every
 * other object or array one level, so the depth counts both patterns and expressions.
 */
export function checkSyntaxTree (ast: object, limits: Required<QueryLimits>): void {
  // Arrays add no depth of their own: a list of 500 patterns is one level.
  const stack: Array<[unknown, number]> = [[ast, 0]]
  let patterns = 0
  let rows = 0
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!
    if (node === null || typeof node !== 'object') continue
    if (Array.isArray(node)) { for (const x of node) stack.push([x, depth]); continue }
    const n = node as Record<string, unknown>
    if (typeof n.termType === 'string' && n.termType !== 'Quad') continue
    if (depth + 1 > limits.maxDepth) throw new QueryTooDeepError(limits.maxDepth)
    if (Array.isArray(n.triples)) {
      patterns += n.triples.length
      if (patterns > limits.maxTriplePatterns) throw new QueryTooLargeError('maxTriplePatterns', limits.maxTriplePatterns, patterns)
    }
    if (n.type === 'values' && Array.isArray(n.values)) {
      rows += n.values.length
      if (rows > limits.maxValuesRows) throw new QueryTooLargeError('maxValuesRows', limits.maxValuesRows, rows)
    }
    for (const v of Object.values(n)) if (v !== null && typeof v === 'object') stack.push([v, depth + 1])
  }
}

/** Depth of an algebra tree (operations and expressions), walked the same way. */
export function checkAlgebraDepth (op: object, limits: Required<QueryLimits>): void {
  const stack: Array<[unknown, number]> = [[op, 0]]
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!
    if (node === null || typeof node !== 'object') continue
    if (Array.isArray(node)) { for (const x of node) stack.push([x, depth]); continue }
    const n = node as Record<string, unknown>
    if (typeof n.termType === 'string') continue
    if (depth + 1 > limits.maxDepth) throw new QueryTooDeepError(limits.maxDepth)
    for (const k of ['input', 'expression', 'args', 'patterns', 'aggregates']) {
      const v = n[k]
      if (v !== null && typeof v === 'object') stack.push([v, depth + 1])
    }
  }
}

/**
 * Whether `e` is the engine running out of stack: whatever the limits, a caller
 * deep in its own stack may meet it first, and it is then ERR_QUERY_TOO_DEEP.
 */
export function isStackOverflow (e: unknown): boolean {
  return e instanceof RangeError && /call stack/i.test(e.message)
}
