/**
 * W3C tests that are known to fail, each with the reason. The runner fails the
 * build if a listed test passes (so this list stays true) or an unlisted one fails.
 */
export const knownFailures: Record<string, string> = {}
