/**
 * Commander parsers for values that must have a shape: a malformed one is a usage
 * error (exit 2) reported before anything runs, not a failed operation.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { InvalidArgumentError } from 'commander'
import { parseWriterId, RhizomeError } from '../index.js'

/** A libp2p multiaddr (/ip4/127.0.0.1/tcp/4001/p2p/…), collected into a list (the option repeats). */
export function multiaddrList (value: string, previous: string[] = []): string[] {
  try {
    multiaddr(value)
  } catch {
    throw new InvalidArgumentError(`"${value}" is not a multiaddr (such as /ip4/127.0.0.1/tcp/4001/p2p/12D3Koo…)`)
  }
  return [...previous, value]
}

/** A writer's did:key (did:key:z6Mk…), collected into a list. */
export function writerList (value: string, previous: string[] = []): string[] {
  try {
    parseWriterId(value)
  } catch (err) {
    if (err instanceof RhizomeError) throw new InvalidArgumentError(`${err.message} (a writer is a did:key, as rhizome id prints)`)
    throw err
  }
  return [...previous, value]
}

/** An ipfs://CID IRI, as rhizome add prints. */
export function ipfsIri (value: string): string {
  if (!/^ipfs:\/\/[A-Za-z0-9]+(\/.*)?$/.test(value)) throw new InvalidArgumentError(`"${value}" is not an ipfs:// IRI (rhizome add prints one)`)
  return value
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** A duration: a number and a unit (90s, 30m, 24h, 2d; ms when there is no unit), as milliseconds. */
export function duration (value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(value.trim())
  if (match === null) throw new InvalidArgumentError(`"${value}" is not a duration (such as 90s, 30m, 24h or 2d)`)
  return Math.round(Number(match[1]) * DURATION_UNITS[match[2] ?? 'ms']!)
}

/** An IPNS name (k51…, /ipns/k51…), collected into a list; checked in full when used. */
export function nameList (value: string, previous: string[] = []): string[] {
  if (!/^(\/ipns\/|ipns:\/\/)?[0-9A-Za-z]{40,100}\/?$/.test(value)) throw new InvalidArgumentError(`"${value}" is not an IPNS name (such as k51qzi5uqu5d…, as rhizome name publish prints)`)
  return [...previous, value]
}
