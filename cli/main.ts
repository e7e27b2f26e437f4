#!/usr/bin/env node
/**
 * The `rhizome` bin. It checks the Node.js version first and only then loads the
 * command line (run.ts): importing the store on an older Node fails with "No such
 * built-in module: node:sqlite", which tells a new user nothing. So this file imports
 * nothing statically but the version check.
 */
import module from 'node:module'
import { nodeVersionProblem } from './node-version.js'

const problem = nodeVersionProblem(process.versions.node)
if (problem !== undefined) {
  process.stderr.write('rhizome: ' + problem)
  process.exitCode = 1
} else {
  // V8's code for Rhizome's modules, kept between runs in Node's compile cache (a folder
  // in the temporary directory; NODE_DISABLE_COMPILE_CACHE=1 turns it off): a command
  // then skips compiling the parser, the engine and the store each time it starts.
  module.enableCompileCache?.()
  await import('./run.js')
}
