/** Per-rule token buckets: a storm of one rule's findings is spread out instead of flooding a channel. */
export class RuleRateLimiter {
  /** Keyed by rule name: bounded by the rule catalog. */
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  /** perMinute 0 disables limiting. Capacity equals one minute's allowance, so a quiet rule may burst that much. */
  constructor(private readonly perMinute: number) {}

  /** Takes one token for `rule` if one is available. */
  take(rule: string, now: number): boolean {
    if (this.perMinute <= 0) return true;
    const b = this.refill(rule, now);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Milliseconds until `rule` has a token again (0 if it has one now). */
  waitMs(rule: string, now: number): number {
    if (this.perMinute <= 0) return 0;
    const b = this.refill(rule, now);
    return b.tokens >= 1 ? 0 : Math.ceil(((1 - b.tokens) * 60_000) / this.perMinute);
  }

  private refill(rule: string, now: number): { tokens: number; at: number } {
    let b = this.buckets.get(rule);
    if (!b) {
      b = { tokens: this.perMinute, at: now };
      this.buckets.set(rule, b);
    } else {
      b.tokens = Math.min(this.perMinute, b.tokens + ((now - b.at) * this.perMinute) / 60_000);
      b.at = now;
    }
    return b;
  }
}
