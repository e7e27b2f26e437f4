/**
 * The commands, loaded on demand: `rhizome query` loads the query command (and what it
 * imports) and nothing else, `rhizome --version` loads none. Help and an unknown command
 * load all, so the listing and the suggestions are whole.
 */
import type { Command } from 'commander'

type Register = (program: Command) => void

/** Each module, in the order `rhizome --help` lists them, with the commands it registers. */
const MODULES: Array<{ commands: string[], load: () => Promise<Register> }> = [
  { commands: ['init'], load: async () => (await import('./init.js')).registerInit },
  { commands: ['id'], load: async () => (await import('./id.js')).registerId },
  { commands: ['import'], load: async () => (await import('./import.js')).registerImport },
  { commands: ['export'], load: async () => (await import('./export.js')).registerExport },
  { commands: ['heads'], load: async () => (await import('./heads.js')).registerHeads },
  { commands: ['log'], load: async () => (await import('./log.js')).registerLog },
  { commands: ['count'], load: async () => (await import('./count.js')).registerCount },
  { commands: ['export-car', 'merge', 'clone'], load: async () => (await import('./car.js')).registerCar },
  { commands: ['query'], load: async () => (await import('./query.js')).registerQuery },
  { commands: ['update'], load: async () => (await import('./update.js')).registerUpdate },
  { commands: ['serve', 'sync', 'pin'], load: async () => (await import('./network.js')).registerNetwork },
  { commands: ['name'], load: async () => (await import('./name.js')).registerName },
  { commands: ['add', 'cat'], load: async () => (await import('./files.js')).registerFiles }
]

/** Registers the command `name` (all of them when `name` is undefined or unknown, none when null). */
export async function registerCommands (program: Command, name: string | null | undefined): Promise<void> {
  if (name === null) return
  const one = MODULES.find(m => name !== undefined && m.commands.includes(name))
  for (const module of one === undefined ? MODULES : [one]) (await module.load())(program)
}
