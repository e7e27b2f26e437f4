/**
 * What the figures were measured on: the machine, Node.js, and the versions of
 * the peer systems, so a result file says what it compares.
 */
import { readFileSync } from 'node:fs'
import { availableParallelism, cpus, platform, release, totalmem } from 'node:os'
import { join } from 'node:path'

export interface MachineInfo {
  cpu: string
  cores: number
  memoryBytes: number
  os: string
  node: string
  packages: Record<string, string>
}

const peers = ['oxigraph', 'n3', 'quadstore', 'classic-level', '@orbitdb/core', 'helia']

export function machineInfo (root: string): MachineInfo {
  const packages: Record<string, string> = {}
  for (const name of peers) {
    try {
      const manifest = JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version?: string }
      packages[name] = manifest.version ?? 'unknown'
    } catch {
      packages[name] = 'not installed'
    }
  }
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    memoryBytes: totalmem(),
    os: `${platform()} ${release()}`,
    node: process.version,
    packages
  }
}
