// A CLI process writing a long series of checklist updates is killed with SIGKILL at a random
// moment. Afterwards the database is intact, every acknowledged update is there, and the
// custody chain verifies.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { POINT_IDS, CHECKLIST_STATUSES } from '../../shared/checklist/points.ts';
import type { Case } from '../../shared/api/schemas.ts';
import { ASSAY_BIN, runAssay, runAssayJson } from '../helpers/cli.ts';
import { tempDir } from '../helpers/core.ts';

const UPDATES = 3000;
const pointOf = (i: number) => POINT_IDS[i % POINT_IDS.length]!;
const statusOf = (i: number) => CHECKLIST_STATUSES.filter((s) => s !== 'not_reviewed')[i % 4]!;

for (const round of [1, 2]) {
  test(`SIGKILL during a stream of checklist updates loses nothing acknowledged (round ${round})`, async () => {
    const dir = await tempDir('assay-durability-');
    try {
      const dataDir = join(dir.path, 'data');
      const c = await runAssayJson<Case>(['case', 'create', 'Durability'], { dataDir });
      const child = spawn(process.execPath, [ASSAY_BIN, '--data-dir', dataDir, 'checklist', c.json.id, '--batch'], { stdio: ['pipe', 'pipe', 'pipe'] });
      const killAfter = 20 + Math.floor(Math.random() * 300);
      const acked: number[] = [];
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
      const lines = createInterface({ input: child.stdout });
      lines.on('line', (line) => {
        const ack = JSON.parse(line) as { line: number; ok: boolean };
        assert.equal(ack.ok, true, line);
        acked.push(ack.line - 1);
        if (acked.length === killAfter) child.kill('SIGKILL');
      });
      for (let i = 0; i < UPDATES; i++) {
        child.stdin.write(`${JSON.stringify({ point: pointOf(i), status: statusOf(i), note: `update-${i}` })}\n`);
      }
      child.stdin.end();
      child.stdin.on('error', () => undefined); // the pipe breaks when the child dies
      assert.equal(await exited, 'SIGKILL');
      assert.ok(acked.length >= killAfter);

      const db = new BetterSqlite3(join(dataDir, 'assay.db'));
      try {
        assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
        const rows = db.prepare('SELECT point_id, status, notes FROM checklist_entries WHERE case_id = ?').all(c.json.id) as { point_id: string; status: string; notes: string }[];
        const stored = new Map(rows.map((r) => [r.point_id, r]));
        const lastAcked = new Map<string, number>();
        for (const i of acked) lastAcked.set(pointOf(i), i);
        for (const [point, i] of lastAcked) {
          const row = stored.get(point)!;
          const k = Number(row.notes.replace('update-', ''));
          // The stored value is the acknowledged update or a later one for the same point.
          assert.ok(k >= i && (k - i) % POINT_IDS.length === 0, `${point}: acknowledged update-${i}, stored ${row.notes}`);
          assert.equal(row.status, statusOf(k));
        }
      } finally {
        db.close();
      }
      const verify = await runAssay(['log', 'verify', c.json.id], { dataDir });
      assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    } finally {
      await dir.remove();
    }
  });
}
