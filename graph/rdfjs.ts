/**
 * The RDF/JS Stream and EventEmitter shapes (rdf.js.org/stream-spec) over Rhizome's
 * lazy async iterables, so that a Graph is an RDF/JS Source and Store that other RDF
 * tools (Comunica's rdfjs source, for one) can use directly, in Node and in a browser:
 * nothing here needs Node's `events` or `stream`.
 *
 * A QuadStream is both: an RDF/JS Stream (`read()` with 'readable', or 'data', then
 * 'end' or 'error') and an AsyncIterable. It starts reading the store only when asked
 * (a listener, a `read()`, or iteration), and reads one item ahead at most.
 */
import type * as RDF from '@rdfjs/types'
import type { EventEmitter } from 'node:events' // the type RDF/JS's Stream extends; erased, so browsers need no `events`

type Listener = (...args: any[]) => void

/** An EventEmitter with the members RDF/JS's types ask for (Node's), in plain code. */
export class Emitter implements EventEmitter {
  readonly #listeners = new Map<string, Array<{ listener: Listener, once: boolean }>>()

  on (event: string, listener: Listener): this { return this.#add(event, listener, false) }
  addListener (event: string, listener: Listener): this { return this.#add(event, listener, false) }
  once (event: string, listener: Listener): this { return this.#add(event, listener, true) }

  off (event: string, listener: Listener): this { return this.removeListener(event, listener) }
  removeListener (event: string, listener: Listener): this {
    const list = this.#listeners.get(event)
    const i = list?.findIndex(l => l.listener === listener) ?? -1
    if (i >= 0) list!.splice(i, 1)
    return this
  }

  removeAllListeners (event?: string): this {
    if (event === undefined) this.#listeners.clear()
    else this.#listeners.delete(event)
    return this
  }

  prependListener (event: string, listener: Listener): this { return this.#add(event, listener, false, true) }
  prependOnceListener (event: string, listener: Listener): this { return this.#add(event, listener, true, true) }
  listenerCount (event: string | symbol): number { return this.#listeners.get(String(event))?.length ?? 0 }
  listeners (event: string | symbol): Function[] { return (this.#listeners.get(String(event)) ?? []).map(l => l.listener) }
  rawListeners (event: string | symbol): Function[] { return this.listeners(event) }
  eventNames (): string[] { return [...this.#listeners.keys()].filter(e => this.listenerCount(e) > 0) }
  #maxListeners = 10
  setMaxListeners (n: number): this { this.#maxListeners = n; return this }
  getMaxListeners (): number { return this.#maxListeners }

  emit (event: string, ...args: unknown[]): boolean {
    const list = this.#listeners.get(event)
    if (list === undefined || list.length === 0) return false
    for (const entry of [...list]) {
      if (entry.once) this.removeListener(event, entry.listener)
      entry.listener.apply(this, args) // listeners see the emitter as `this`, as with Node's
    }
    return true
  }

  protected listening (_event: string): void {}

  #add (event: string, listener: Listener, once: boolean, first = false): this {
    let list = this.#listeners.get(event)
    if (list === undefined) this.#listeners.set(event, list = [])
    if (first) list.unshift({ listener, once })
    else list.push({ listener, once })
    this.listening(event)
    return this
  }
}

/** An RDF/JS Stream that is also an AsyncIterable, read lazily from `open()`. */
export class QuadStream<Q extends RDF.BaseQuad = RDF.Quad> extends Emitter implements RDF.Stream<Q>, AsyncIterable<Q> {
  #iterator: AsyncIterator<Q> | undefined
  #next: Q | undefined
  #hasNext = false
  #pulling = false
  #done = false
  #ended = false
  #flowing = false
  #iterated = false
  #destroyed = false

  constructor (private readonly open: () => AsyncIterable<Q>) { super() }

  /** The next item if one has been read ahead, else null (and 'readable' follows when one is). */
  read (): Q | null {
    if (this.#hasNext) {
      const item = this.#next as Q
      this.#next = undefined
      this.#hasNext = false
      if (this.#done) this.#end()
      else this.#pull()
      return item
    }
    if (this.#done) this.#end()
    else this.#pull()
    return null
  }

  /** Stops reading and releases what the read holds (a store snapshot); emits 'error' when given one, then 'close'. */
  destroy (error?: unknown): this {
    if (this.#destroyed) return this
    this.#destroyed = true
    this.#done = true
    this.#ended = true
    this.#hasNext = false
    this.#next = undefined
    void this.#iterator?.return?.()?.catch(() => {})
    queueMicrotask(() => {
      if (error !== undefined && error !== null) this.emit('error', error)
      this.emit('close')
    })
    return this
  }

  /** True once the stream has ended or been destroyed. */
  get done (): boolean { return this.#ended }

  [Symbol.asyncIterator] (): AsyncIterator<Q> {
    if (this.#iterator !== undefined || this.#iterated) throw new TypeError('this stream is already being read')
    this.#iterated = true
    return this.open()[Symbol.asyncIterator]()
  }

  protected override listening (event: string): void {
    if (event === 'data' && !this.#flowing) {
      this.#flowing = true
      queueMicrotask(() => { void this.#flow() })
    } else if (event === 'readable') {
      if (this.#hasNext) queueMicrotask(() => this.emit('readable'))
      else this.#pull()
    }
  }

  #source (): AsyncIterator<Q> {
    if (this.#iterated) throw new TypeError('this stream is already being iterated')
    this.#iterator ??= this.open()[Symbol.asyncIterator]()
    return this.#iterator
  }

  #pull (): void {
    if (this.#pulling || this.#hasNext || this.#done || this.#flowing) return
    this.#pulling = true
    let source: AsyncIterator<Q>
    try { source = this.#source() } catch (err) { this.#fail(err); return }
    source.next().then(result => {
      this.#pulling = false
      if (this.#destroyed) return
      if (result.done === true) {
        this.#done = true
        this.#end()
        return
      }
      this.#next = result.value
      this.#hasNext = true
      if (this.#flowing) void this.#flow()
      else this.emit('readable')
    }, err => { this.#pulling = false; this.#fail(err) })
  }

  async #flow (): Promise<void> {
    if (this.#pulling) return // the pending read continues the flow
    try {
      if (this.#hasNext) {
        const item = this.#next as Q
        this.#next = undefined
        this.#hasNext = false
        this.emit('data', item)
      }
      const source = this.#source()
      while (!this.#done) {
        this.#pulling = true
        const result = await source.next()
        this.#pulling = false
        if (this.#destroyed) return
        if (result.done === true) break
        this.emit('data', result.value)
      }
      this.#done = true
      this.#end()
    } catch (err) {
      this.#pulling = false
      this.#fail(err)
    }
  }

  #end (): void {
    if (this.#ended || this.#hasNext) return
    this.#ended = true
    queueMicrotask(() => this.emit('end'))
  }

  #fail (err: unknown): void {
    if (this.#destroyed) return
    this.#done = true
    this.#ended = true
    this.emit('error', err)
  }
}

/** The quads of an RDF/JS Stream, as an AsyncIterable (listening for 'data', 'end' and 'error'). */
export async function * quadsOf<Q extends RDF.BaseQuad> (stream: RDF.Stream<Q>): AsyncGenerator<Q> {
  if (Symbol.asyncIterator in stream) {
    yield * (stream as unknown as AsyncIterable<Q>)
    return
  }
  const queue: Q[] = []
  let done = false
  let failure: { error: unknown } | undefined
  let wake: (() => void) | undefined
  const signal = (): void => { const w = wake; wake = undefined; w?.() }
  stream.on('data', (q: Q) => { queue.push(q); signal() })
  stream.on('end', () => { done = true; signal() })
  stream.on('error', (error: unknown) => { failure = { error }; signal() })
  while (true) {
    if (failure !== undefined) throw failure.error
    const item = queue.shift()
    if (item !== undefined) { yield item; continue }
    if (done) return
    await new Promise<void>(resolve => { wake = resolve })
  }
}

/** An EventEmitter that emits 'end' when `work` succeeds and 'error' when it fails. */
export function settle (work: () => Promise<unknown>): EventEmitter {
  const emitter = new Emitter()
  queueMicrotask(() => {
    work().then(() => emitter.emit('end'), err => emitter.emit('error', err))
  })
  return emitter
}

/** RDF/JS match arguments as a pattern: null, undefined and variables match anything. */
export function patternTerm (term: RDF.Term | null | undefined): RDF.Term | undefined {
  return term === null || term === undefined || term.termType === 'Variable' ? undefined : term
}
