/**
 * IPNS names as the IPFS ecosystem writes them: the CIDv1 (codec libp2p-key, 0x72) of the
 * name key's identity multihash, in base36 (`k51…`), used as `/ipns/<name>`. From a name
 * come its routing key (`/ipns/` + the multihash bytes: the key of the DHT, of libp2p Fetch
 * and of the delegated routing API) and its IPNS-over-PubSub topic (`/record/` + the
 * unpadded base64url of the routing key).
 */
import { generateKeyPairFromSeed, publicKeyFromMultihash } from '@libp2p/crypto/keys'
import type { PrivateKey, PublicKey } from '@libp2p/interface'
import { base36 } from 'multiformats/bases/base36'
import { base58btc } from 'multiformats/bases/base58'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import type { MultihashDigest } from 'multiformats/hashes/interface'
import { multihashToIPNSRoutingKey } from 'ipns'
import { toString as uint8ArrayToString, fromString as uint8ArrayFromString } from 'uint8arrays'
import type { KeyPair } from '../merkle-clock/index.js'
import { InvalidNameError } from './errors.js'

const LIBP2P_KEY = 0x72
const IDENTITY = 0x00
const IPNS_PREFIX = '/ipns/'
export const PUBSUB_PREFIX = '/record/'

export interface IpnsName {
  /** The name: base36 CIDv1 (libp2p-key), `k51…`. */
  readonly name: string
  /** The name key's public half, which checks the records. */
  readonly publicKey: PublicKey
  /** `/ipns/` + the multihash of the public key, as bytes. */
  readonly routingKey: Uint8Array
  /** The IPNS-over-PubSub topic of the name. */
  readonly topic: string
}

/** The name of an Ed25519 public key. */
export function nameOfPublicKey (publicKey: PublicKey): IpnsName {
  if (publicKey.type !== 'Ed25519') throw new InvalidNameError(publicKey.toString(), `Rhizome's names are Ed25519 keys, not ${publicKey.type}`)
  const routingKey = multihashToIPNSRoutingKey(publicKey.toMultihash())
  return {
    name: publicKey.toCID().toString(base36),
    publicKey,
    routingKey,
    topic: PUBSUB_PREFIX + uint8ArrayToString(routingKey, 'base64url')
  }
}

/** Parses `k51…`, `/ipns/k51…`, `ipns://k51…`, another multibase of the same CID, or a base58 peer ID (`12D3Koo…`). */
export function parseName (text: string): IpnsName {
  if (typeof text !== 'string') throw new InvalidNameError(String(text), 'not a string')
  let body = text.trim()
  if (body.startsWith(IPNS_PREFIX)) body = body.slice(IPNS_PREFIX.length)
  else if (body.startsWith('ipns://')) body = body.slice('ipns://'.length)
  body = body.replace(/\/+$/, '')
  if (body.length === 0 || body.length > 200 || body.includes('/')) throw new InvalidNameError(text, 'expected k51… (or /ipns/k51…)')
  let digest: MultihashDigest
  try {
    if (body.startsWith('1') || body.startsWith('Qm')) {
      digest = Digest.decode(base58btc.baseDecode(body))
    } else {
      const cid = body.startsWith('k') ? CID.parse(body, base36) : CID.parse(body)
      if (cid.version !== 1 || cid.code !== LIBP2P_KEY) throw new Error(`a CID of codec 0x${cid.code.toString(16)}, not libp2p-key`)
      digest = cid.multihash
    }
  } catch (err) {
    throw new InvalidNameError(text, `expected k51… or /ipns/k51… (${(err as Error).message})`, { cause: err })
  }
  if (digest.code !== IDENTITY) throw new InvalidNameError(text, 'a hashed key (an RSA-style peer ID): Rhizome names are Ed25519 keys, inlined')
  let publicKey: PublicKey
  try {
    publicKey = publicKeyFromMultihash(digest as MultihashDigest<0x00>)
  } catch (err) {
    throw new InvalidNameError(text, 'the key inside does not decode', { cause: err })
  }
  return nameOfPublicKey(publicKey)
}

/** The name of a routing key (`/ipns/` + multihash bytes), as the Fetch protocol and the routing API carry it. */
export function nameOfRoutingKey (routingKey: Uint8Array): IpnsName {
  const prefix = uint8ArrayFromString(IPNS_PREFIX)
  if (routingKey.length <= prefix.length || uint8ArrayToString(routingKey.subarray(0, prefix.length)) !== IPNS_PREFIX) {
    throw new InvalidNameError(uint8ArrayToString(routingKey.subarray(0, 64), 'base64url'), 'a routing key starts with /ipns/')
  }
  let digest: MultihashDigest
  try {
    digest = Digest.decode(routingKey.subarray(prefix.length))
  } catch (err) {
    throw new InvalidNameError(uint8ArrayToString(routingKey.subarray(0, 64), 'base64url'), 'no multihash after /ipns/', { cause: err })
  }
  return parseName(CID.createV1(LIBP2P_KEY, digest).toString(base36))
}

/** The name of a topic, or undefined when the topic is not an IPNS-over-PubSub topic. */
export function nameOfTopic (topic: string): IpnsName | undefined {
  if (!topic.startsWith(PUBSUB_PREFIX)) return undefined
  try {
    return nameOfRoutingKey(uint8ArrayFromString(topic.slice(PUBSUB_PREFIX.length), 'base64url'))
  } catch {
    return undefined
  }
}

/** A name key as libp2p holds it (for the `ipns` package), with its name. */
export async function nameSigner (keys: KeyPair): Promise<{ privateKey: PrivateKey, name: IpnsName }> {
  const privateKey = await generateKeyPairFromSeed('Ed25519', keys.privateKey)
  return { privateKey, name: nameOfPublicKey(privateKey.publicKey) }
}
