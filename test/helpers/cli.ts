// Runs the real `assay` command as a subprocess, as a user would.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ASSAY_BIN = fileURLToPath(new URL('../../bin/assay.mjs', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runAssay(args: string[], options: { dataDir: string; stdin?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ASSAY_BIN, '--data-dir', options.dataDir, ...args], {
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`assay ${args.join(' ')} timed out\n${stderr}`)); }, options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
    child.stdin.end(options.stdin ?? '');
  });
}

export async function runAssayJson<T>(args: string[], options: { dataDir: string }): Promise<{ code: number | null; json: T; stderr: string }> {
  const r = await runAssay(['--json', ...args], options);
  try {
    return { code: r.code, json: JSON.parse(r.stdout) as T, stderr: r.stderr };
  } catch {
    throw new Error(`assay ${args.join(' ')} did not print JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}
