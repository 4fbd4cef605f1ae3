// JSON records to columns: nested objects become dotted names (`user.email`) to a bounded
// depth; arrays and deeper objects are kept as JSON text so their content is still scanned.
import type { Cell, ReadLimits, TableSink } from './types.ts';

const MAX_SERIALISED = 64 * 1024;

function serialise(v: unknown): string {
  const s = JSON.stringify(v) ?? '';
  return s.length > MAX_SERIALISED ? s.slice(0, MAX_SERIALISED) : s;
}

function toCell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (v instanceof Uint8Array) return `<${v.length} bytes>`;
  return serialise(v);
}

/** Maps records with varying keys onto a growing, append-only column list. */
export class RecordFlattener {
  private readonly index = new Map<string, number>();
  private readonly names: string[] = [];
  private dropped = false;
  constructor(private readonly sink: TableSink, private readonly limits: ReadLimits) {}

  get columnNames(): readonly string[] {
    return this.names;
  }

  /** Cells for one record, announcing new columns to the sink first. */
  cells(record: unknown): Cell[] {
    const flat: Array<[string, Cell]> = [];
    if (record !== null && typeof record === 'object' && !Array.isArray(record) && !(record instanceof Uint8Array) && !(record instanceof Date)) {
      this.walk(record as Record<string, unknown>, '', 1, flat);
    } else if (Array.isArray(record)) {
      record.forEach((v, i) => flat.push([String(i), toCell(v)]));
    } else {
      flat.push(['value', toCell(record)]);
    }
    const before = this.names.length;
    const cells: Cell[] = [];
    for (const [name, value] of flat) {
      let i = this.index.get(name);
      if (i === undefined) {
        if (this.names.length >= this.limits.maxColumns) {
          if (!this.dropped) this.sink.problem({ kind: 'limit', detail: `records have more than ${this.limits.maxColumns} distinct keys; the rest are ignored` });
          this.dropped = true;
          continue;
        }
        i = this.names.length;
        this.index.set(name, i);
        this.names.push(name);
      }
      cells[i] = value;
    }
    if (this.names.length !== before || before === 0) this.sink.columns(this.names);
    for (let i = 0; i < cells.length; i++) if (cells[i] === undefined) cells[i] = null;
    return cells;
  }

  private walk(obj: Record<string, unknown>, prefix: string, depth: number, out: Array<[string, Cell]>): void {
    for (const key of Object.keys(obj)) {
      const v = obj[key];
      const name = prefix ? `${prefix}.${key}` : key;
      if (v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof Date) && depth < this.limits.maxFlattenDepth) {
        this.walk(v as Record<string, unknown>, name, depth + 1, out);
      } else {
        out.push([name, toCell(v)]);
      }
    }
  }
}
