import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkBoundaries } from '../../scripts/check-boundaries.ts';
import { tempDir } from '../helpers/core.ts';

test('the repository respects its layer boundaries', () => {
  assert.deepEqual(checkBoundaries(), []);
});

test('the check catches electron in the core, node in the renderer, and a face importing another', async () => {
  const dir = await tempDir('assay-bounds-');
  try {
    const put = async (rel: string, text: string) => {
      await mkdir(join(dir.path, rel, '..'), { recursive: true });
      await writeFile(join(dir.path, rel), text);
    };
    await put('main/core/bad.ts', "import { app } from 'electron';\n");
    await put('renderer/src/bad.ts', "import { readFile } from 'node:fs';\nimport x from '../../main/core/x.ts';\n");
    await put('main/host/bad.ts', "import { y } from '../shell/y.ts';\n");
    await put('shared/bad.ts', "import { z } from 'zod';\nimport { w } from 'node:path';\n");
    await put('main/core/good.ts', "import { z } from 'zod';\nimport { a } from '../../shared/a.ts';\nimport { b } from '../store/b.ts';\n");
    const problems = checkBoundaries(dir.path);
    assert.equal(problems.length, 5, problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('main/core/bad.ts') && p.includes('electron')));
    assert.ok(problems.some((p) => p.startsWith('renderer/src/bad.ts') && p.includes('node:fs')));
    assert.ok(problems.some((p) => p.startsWith('renderer/src/bad.ts') && p.includes('main/core')));
    assert.ok(problems.some((p) => p.startsWith('main/host/bad.ts')));
    assert.ok(problems.some((p) => p.startsWith('shared/bad.ts') && p.includes('node:path')));
  } finally {
    await dir.remove();
  }
});
