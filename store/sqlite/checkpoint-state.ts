/** The words the writer and the checkpointer's thread share (checkpointer.ts). */
export const STATE = 0
/** Checkpoints done so far. */
export const DONE = 1
/** Where the thread's connection is: CONN_NONE, CONN_OPEN or CONN_CLOSED. */
export const CONN = 2
export const WORDS = 3

export const IDLE = 0
export const REQUESTED = 1
export const CLOSING = 2

/** Not opened yet; whoever moves the word off it first decides whether it ever opens. */
export const CONN_NONE = 0
export const CONN_OPEN = 1
/** Closed, or never to be opened: the writer may close last. */
export const CONN_CLOSED = 2
