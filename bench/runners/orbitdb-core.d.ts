/**
 * The part of @orbitdb/core (which ships no types) that the OrbitDB runner uses.
 */
declare module '@orbitdb/core' {
  export interface EventsDatabase {
    readonly address: string
    add (value: unknown): Promise<string>
    iterator (options?: { amount?: number }): AsyncIterable<{ hash: string, value: unknown }>
    close (): Promise<void>
  }

  export interface OrbitDB {
    open (address: string, options?: { type?: 'events', sync?: boolean }): Promise<EventsDatabase>
    stop (): Promise<void>
  }

  export function createOrbitDB (options: { ipfs: unknown, id?: string, directory?: string }): Promise<OrbitDB>
}
