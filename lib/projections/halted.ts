/** Thrown inside a projection runner to unwind a read when it must end: a stop, a pause, a partition given up, or the lease lost. */
export class Halted extends Error {}
