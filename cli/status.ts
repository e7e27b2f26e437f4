/**
 * Exit statuses and the prefix of every diagnostic: 0 success, 1 a failed operation (any
 * RhizomeError: rejected data, no database, a locked folder), 2 bad usage (an unknown
 * command or option, a missing argument), 130 interrupted (Ctrl-C). A module of constants,
 * so `rhizome --version` loads nothing else.
 */
export const PREFIX = 'rhizome: '

export const EXIT_FAILED = 1
export const EXIT_USAGE = 2
export const EXIT_INTERRUPTED = 130
