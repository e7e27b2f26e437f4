/**
 * What the figures were measured on: the machine, Node.js, and the versions of
 * the peer systems, so a result file says what it compares.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { availableParallelism, cpus, platform, release, totalmem } from 'node:os'
import { join } from 'node:path'

export interface MachineInfo {
  cpu: string
  cores: number
  memoryBytes: number
  os: string
  node: string
  /** The Rhizome commit measured, with "+changes" when the working tree differs from it. */
  commit: string
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
    commit: gitCommit(root),
    packages
  }
}

function gitCommit (root: string): string {
  try {
    const git = (...args: string[]): string => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    const head = git('rev-parse', '--short=12', 'HEAD')
    return git('status', '--porcelain', '--untracked-files=no') === '' ? head : `${head}+changes`
  } catch {
    return 'unknown'
  }
}
