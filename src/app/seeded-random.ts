/**
 * The package's one seeded PRNG (mulberry32): the same seed gives the same rows on every machine, so
 * the demo data set, the benchmark's data and the test kit's factories are reproducible.
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  /** A version-4-shaped UUID drawn from this generator. */
  uuid(): string {
    const hex = (bits: number) => (bits >>> 0).toString(16).padStart(8, '0');
    const a = hex(this.int(2 ** 32));
    const b = hex(this.int(2 ** 32));
    const c = hex(this.int(2 ** 32));
    const d = hex(this.int(2 ** 32));
    const variant = ((Number.parseInt(c[0] ?? '0', 16) & 0x3) | 0x8).toString(16);
    return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${d}`;
  }
}
