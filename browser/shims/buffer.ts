/**
 * Node's global Buffer in the browser build (esbuild's `inject`: a free `Buffer` in a
 * bundled module becomes this import): the `buffer` package, which N3's stream
 * dependency bundles anyway. The shared modules use it for a few hex and latin1
 * conversions (CID keys, writer sets).
 */
export { Buffer } from 'buffer'
