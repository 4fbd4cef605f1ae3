// HyperLogLog distinct-count sketch (p = 14: 16 KiB, ~0.8% standard error).
const P = 14;
const M = 1 << P;
const ALPHA = 0.7213 / (1 + 1.079 / M);

export class HyperLogLog {
  private readonly registers = new Uint8Array(M);

  add(hash: number): void {
    const h = hash >>> 0;
    const idx = h >>> (32 - P);
    const w = (h << P) >>> 0;
    const rank = w === 0 ? 32 - P + 1 : Math.clz32(w) + 1;
    if (rank > this.registers[idx]!) this.registers[idx] = rank;
  }

  registersCopy(): Uint8Array {
    return this.registers.slice();
  }

  /** Union with another sketch's registers. */
  merge(registers: Uint8Array): void {
    for (let i = 0; i < M; i++) if (registers[i]! > this.registers[i]!) this.registers[i] = registers[i]!;
  }

  estimate(): number {
    let sum = 0;
    let zeros = 0;
    for (let i = 0; i < M; i++) {
      const r = this.registers[i]!;
      sum += 2 ** -r;
      if (r === 0) zeros++;
    }
    let e = (ALPHA * M * M) / sum;
    if (e <= 2.5 * M && zeros > 0) e = M * Math.log(M / zeros);
    else if (e > 2 ** 32 / 30) e = -(2 ** 32) * Math.log(1 - e / 2 ** 32);
    return Math.round(e);
  }
}
