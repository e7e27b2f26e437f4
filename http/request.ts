/**
 * Reading a request: its body, bounded (413 past the limit, before reading any of it
 * when Content-Length already says so), decoded as strict UTF-8 (the protocol's only
 * encoding: any other charset or invalid bytes is a 400), and its media type.
 */
import type { IncomingMessage } from 'node:http'
import { HttpError } from './errors.js'

/** The media type of the request, lower case and without parameters ('' when absent). */
export function mediaType (req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase()
}

export async function readBody (req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit)
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > limit) throw tooLarge(limit)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

function tooLarge (limit: number): HttpError {
  return new HttpError('ERR_HTTP_TOO_LARGE', `the request body exceeds the limit of ${limit} bytes`)
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

export function decodeText (req: IncomingMessage, body: Buffer): string {
  const charset = /;\s*charset\s*=\s*"?([^";]+)/i.exec(req.headers['content-type'] ?? '')?.[1]?.trim().toLowerCase()
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new HttpError('ERR_HTTP_BAD_REQUEST', `the body's charset must be UTF-8, not ${charset}`)
  }
  try {
    return utf8.decode(body)
  } catch (err) {
    throw new HttpError('ERR_HTTP_BAD_REQUEST', 'the body is not valid UTF-8', {}, { cause: err })
  }
}
