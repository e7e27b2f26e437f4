/** The word the writer and the checkpointer's thread share (checkpointer.ts). */
export const STATE = 0
/** Checkpoints done so far. */
export const DONE = 1
export const IDLE = 0
export const REQUESTED = 1
export const CLOSING = 2
