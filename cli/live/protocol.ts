/**
 * The live channel's wire format: one request per connection, over a Unix socket that
 * only the database's owner can open. Every message is one line of JSON.
 *
 *   client → server   {"method": M, "args": [...]}   then, for methods that take input,
 *                     {"chunk": base64}… {"end": true}
 *   server → client   {"meta": …}? {"item": …}… and last {"result": …} or {"error": {code, message, line?}}
 *
 * Terms travel as small JSON objects (term below), bytes as base64, CIDs as strings.
 * Closing the connection aborts the request.
 */
import type { Socket } from 'node:net'
import { once } from 'node:events'
import { factory, RhizomeError, type RDF } from '../../index.js'

/** The socket file in a database folder. */
export const SOCKET_FILE = 'live.sock'

/** Longest line accepted (a 1 MiB chunk in base64 and its framing): bounds what a peer can make us buffer. */
export const MAX_LINE = 2 * 1024 * 1024

export interface Request { method: string, args: unknown[] }
export interface WireError { code: string, message: string, line?: number }
export type Reply = { meta: unknown } | { item: unknown } | { result: unknown } | { error: WireError }

/** The lines of a socket, parsed; throws on a line longer than MAX_LINE or not JSON. */
export async function * lines (socket: Socket): AsyncGenerator<unknown> {
  let pending = ''
  for await (const chunk of socket) {
    pending += (chunk as Buffer).toString('utf8')
    let end: number
    while ((end = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, end)
      pending = pending.slice(end + 1)
      yield JSON.parse(line)
    }
    if (pending.length > MAX_LINE) throw new Error('a line on the live channel is too long')
  }
}

/** Writes one message, waiting when the other side falls behind. */
export async function send (socket: Socket, message: unknown): Promise<void> {
  if (!socket.write(JSON.stringify(message) + '\n')) await once(socket, 'drain')
}

export const toBase64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
export const fromBase64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'))

/** A term on the wire: u (IRI), b (blank node), l (literal: l language, d datatype), d (default graph). */
export type WireTerm = { t: 'u' | 'b', v: string } | { t: 'l', v: string, l?: string, d?: string } | { t: 'd' }

const XSD_STRING = 'http://www.w3.org/2001/XMLSchema#string'
const LANG_STRING = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#langString'

export function termToWire (term: RDF.Term): WireTerm {
  switch (term.termType) {
    case 'NamedNode': return { t: 'u', v: term.value }
    case 'BlankNode': return { t: 'b', v: term.value }
    case 'DefaultGraph': return { t: 'd' }
    case 'Literal':
      if (term.language !== '') return { t: 'l', v: term.value, l: term.language }
      return term.datatype.value === XSD_STRING ? { t: 'l', v: term.value } : { t: 'l', v: term.value, d: term.datatype.value }
    default: throw new RhizomeError('ERR_LIVE_CHANNEL', `a ${term.termType} cannot travel on the live channel`)
  }
}

export function termFromWire (wire: WireTerm): RDF.Term {
  switch (wire.t) {
    case 'u': return factory.namedNode(wire.v)
    case 'b': return factory.blankNode(wire.v)
    case 'd': return factory.defaultGraph()
    case 'l': return wire.l !== undefined && wire.d !== LANG_STRING ? factory.literal(wire.v, wire.l) : factory.literal(wire.v, wire.d === undefined ? undefined : factory.namedNode(wire.d))
    default: throw new RhizomeError('ERR_LIVE_CHANNEL', 'a malformed term on the live channel')
  }
}

export const quadToWire = (q: RDF.Quad): WireTerm[] => [termToWire(q.subject), termToWire(q.predicate), termToWire(q.object), termToWire(q.graph)]
export const quadFromWire = (w: WireTerm[]): RDF.Quad =>
  factory.quad(termFromWire(w[0]!) as RDF.Quad_Subject, termFromWire(w[1]!) as RDF.Quad_Predicate, termFromWire(w[2]!) as RDF.Quad_Object, termFromWire(w[3]!) as RDF.Quad_Graph)
