/**
 * Names as the command line shows them and as the live channel carries them: plain
 * strings, one view for each of publish, resolve and list.
 */
import type { HeldName, PublishedName, ResolvedName } from '../index.js'

export interface PublishedView { name: string, label: string, sequence: string, root: string, database: string, validUntil: string, recipients: number, confirmed: number }
export interface ResolvedView { name: string, database: string, heads: string[], root: string, sequence: string, validUntil: string }
export interface HeldView { name: string, label?: string, role: string, sequence?: string, validUntil?: string, database?: string }

export const publishedView = (p: PublishedName): PublishedView => ({
  name: p.name, label: p.label, sequence: p.sequence.toString(), root: p.root.toString(), database: p.database, validUntil: p.validUntil.toISOString(), recipients: p.recipients, confirmed: p.confirmed
})

export const resolvedView = (r: ResolvedName): ResolvedView => ({
  name: r.name, database: r.database, heads: r.heads.map(String), root: r.root.toString(), sequence: r.sequence.toString(), validUntil: r.validUntil.toISOString()
})

export const heldView = (h: HeldName): HeldView => ({
  name: h.name,
  label: h.label,
  role: h.role,
  sequence: h.record?.sequence.toString(),
  validUntil: h.record === undefined ? undefined : new Date(h.record.expires).toISOString(),
  database: h.root?.database.toString()
})
