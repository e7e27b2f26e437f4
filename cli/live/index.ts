/**
 * The live channel: the other commands on a folder that `rhizome serve` or `rhizome pin`
 * holds reach its database through the running process (a Unix socket in the folder).
 */
export { serveLive, type LiveServer } from './server.js'
export { connectLive, LiveGraph, type CliGraph } from './client.js'
