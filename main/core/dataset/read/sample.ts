// The first rows of a table, read and then abandoned: column roles are decided on them before
// the real pass (or passes) start.
import type { Cell, TableReader, TableSink } from './types.ts';

class StopSampling extends Error {}

export async function sampleRows(reader: TableReader, count: number): Promise<{ names: string[]; rows: Cell[][] }> {
  let names: string[] = [];
  const rows: Cell[][] = [];
  const sink: TableSink = {
    columns: (n) => { names = [...n]; },
    row: (cells) => {
      rows.push([...cells]);
      if (rows.length >= count) throw new StopSampling();
    },
    problem: () => undefined,
  };
  try {
    await reader.read(sink, {});
  } catch (e) {
    if (!(e instanceof StopSampling)) throw e;
  }
  return { names, rows };
}
