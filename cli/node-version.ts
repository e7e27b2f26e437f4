/**
 * The Node.js version the command line needs (package.json's engines: >=22.12, for
 * node:sqlite and require of ES modules). A module that imports nothing, so main.ts can
 * check it before anything that would fail on an older Node ("No such built-in module").
 */
export const MINIMUM_NODE = [22, 12] as const

/** The message for running on `version` (process.versions.node), or undefined when it is new enough. */
export function nodeVersionProblem (version: string): string | undefined {
  const [major, minor] = version.split('.').map(Number)
  if (major > MINIMUM_NODE[0] || (major === MINIMUM_NODE[0] && minor >= MINIMUM_NODE[1])) return undefined
  return `Node.js ${MINIMUM_NODE.join('.')} or newer is needed; this is Node.js ${version} (upgrade it, for example from https://nodejs.org)\n`
}
