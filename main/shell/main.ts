// Electron main-process entry (bundled to dist/shell/main.cjs). The only file that imports the
// real electron module; everything else receives it as a parameter.
import { join } from 'node:path';
import * as electron from 'electron';
import { startShell } from './app.ts';

// onnxruntime writes telemetry state from any process that loads it unless told not to; the
// sandbox workers inherit this.
process.env.ORT_DISABLE_TELEMETRY = '1';
startShell(electron, { distDir: join(__dirname, '..') });
