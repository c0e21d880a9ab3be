/**
 * Byte caps on out-of-order data held by the reassembler. Each connection gets a share
 * (`ConnBudget`) drawn from one global pool (`GlobalBudget`); a stream that cannot buffer a
 * segment within both skips ahead and reports the skipped bytes as a gap (DESIGN.md, "bounded
 * reassembly"). The counters only ever describe bytes currently held, so memory stays bounded
 * by `global` whatever the capture holds.
 */

export class GlobalBudget {
  used = 0;
  /** Times a stream skipped ahead because this pool was full. */
  exhausted = 0;
  constructor(readonly limit: number) {}
}

export class ConnBudget {
  used = 0;
  /** Times a stream of this connection skipped ahead because of this cap. */
  exhausted = 0;
  constructor(readonly limit: number, readonly global: GlobalBudget) {}

  /** Takes `n` bytes from both caps, or none and counts which cap said no. */
  take(n: number): boolean {
    if (this.used + n > this.limit) {
      this.exhausted++;
      return false;
    }
    if (this.global.used + n > this.global.limit) {
      this.global.exhausted++;
      return false;
    }
    this.used += n;
    this.global.used += n;
    return true;
  }

  give(n: number): void {
    this.used -= n;
    this.global.used -= n;
  }
}
