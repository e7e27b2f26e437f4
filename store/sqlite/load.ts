let sqlite: typeof import('node:sqlite') | undefined

/** Loads node:sqlite without its one-time "experimental" warning on stderr (per thread). */
export async function loadSqlite (): Promise<typeof import('node:sqlite')> {
  if (sqlite !== undefined) return sqlite
  const emit = process.emitWarning
  process.emitWarning = function (warning: string | Error, ...rest: unknown[]) {
    if (String(warning).includes('SQLite is an experimental feature')) return
    return (emit as (...args: unknown[]) => void).call(process, warning, ...rest)
  } as typeof process.emitWarning
  try {
    sqlite = await import('node:sqlite')
  } finally {
    process.emitWarning = emit
  }
  return sqlite
}
