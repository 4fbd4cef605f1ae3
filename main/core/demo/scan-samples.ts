// Demo samples for static scanning: a pickle that would run a shell command when loaded,
// disguised by a harmless-looking name. It is only bytes here; nothing loads it.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DemoSample } from './samples.ts';

/** Protocol 2: GLOBAL posix.system, the argument tuple ('echo assay-demo',), REDUCE, STOP. */
function commandPickle(command: string): Buffer {
  const arg = Buffer.from(command, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(arg.length);
  return Buffer.concat([
    Buffer.from([0x80, 0x02]),
    Buffer.from('cposix\nsystem\n', 'latin1'),
    Buffer.from('X', 'latin1'), len, arg,
    Buffer.from([0x85, 0x52, 0x2e]), // TUPLE1, REDUCE, STOP
  ]);
}

export const maliciousPickleSample: DemoSample = {
  name: 'a malicious pickle named like safe weights',
  async write(dir) {
    const path = join(dir, 'adapter-weights.safetensors');
    await writeFile(path, commandPickle('echo assay-demo'));
    return [{ kind: 'add', paths: [path] }];
  },
};
