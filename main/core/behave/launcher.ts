/**
 * Launches one sandboxed inference worker process per model run, under the strongest isolation
 * available, and kills it from outside when its time is up.
 *
 * Layers, outermost first:
 *  1. prlimit: address-space limit (RLIMIT_AS; onnxruntime then fails cleanly on a huge
 *     allocation), no core dumps, file size 0 (no byte reaches any regular file), few open files.
 *  2. Namespaces, strongest that works here:
 *     - bubblewrap: new user (uid 65534), pid, net, ipc, uts and cgroup namespaces, all
 *       capabilities dropped, a new session, empty environment; a root made of read-only binds of
 *       /usr, the Node binary, the worker bundle and the two onnxruntime packages; an empty
 *       working directory; `--remount-ro /`; dies with its parent;
 *     - `unshare -rn`: user and network namespaces only (no network; files still visible);
 *     - a plain child process.
 *     Each level is probed once per process by starting Node through it; a level that fails is
 *     recorded with its error and the next one is tried.
 *  3. Node's permission model, always: reads only of the worker bundle, the onnxruntime packages
 *     and the worker's own working directory (repeated `--allow-fs-read`, one path each: Node 20
 *     reads a comma list as one path), native addons allowed (onnxruntime needs them); no writes,
 *     child processes or worker threads. It does not bind the native library, hence 1 and 2.
 *  4. A watchdog in the host that SIGKILLs the process group when `timeoutMs` pass without
 *     progress (start-up, model loaded, a batch of results) or `lifetimeMs` pass in all, whatever
 *     the worker is doing (`session.run()` blocks the worker's thread and cannot be cancelled).
 *
 * Packaged Electron app: which Node runs the worker. Three options were weighed:
 *  - The app's own binary with ELECTRON_RUN_AS_NODE=1 (chosen): needs the RunAsNode fuse left
 *    on, so anyone who can start the binary with that variable gets a Node.js runtime; that
 *    grants nothing the user does not already have on their own account. The launcher wraps it
 *    exactly like plain Node (bubblewrap, prlimit, the permission model, the watchdog).
 *  - Electron's utilityProcess: no extra runtime, but Electron spawns it itself, so it cannot be
 *    wrapped in bubblewrap, unshare or prlimit; only the permission model and the watchdog
 *    would remain, and the native library would run unconfined.
 *  - A Node runtime shipped with the app: the same isolation, RunAsNode off, but about 100 MB
 *    per platform and a second runtime to patch.
 *  The core receives the choice as `ctx.capabilities.nodeRuntime = { execPath, env }` (the shell
 *  passes its binary with ELECTRON_RUN_AS_NODE=1; the CLI and host the current Node and no
 *  variables) and hands it over as `runtime.nodePath` and `runtime.env`; the env is passed at
 *  every level (bubblewrap `--setenv` after `--clearenv`), and under bubblewrap the binary's
 *  directory is bound read-only because Electron loads resource files from it. onnxruntime-node
 *  is an N-API addon, so one build serves Electron and Node. Tests here use plain Node.
 *
 * What the README can promise on macOS and Windows, where bubblewrap and prlimit do not exist:
 * inference still runs in a separate process, one per run, under the Node permission model
 * (no JavaScript file writes, child processes or worker threads), with a V8 heap limit, output
 * caps, the watchdog, and crash/hang/out-of-memory containment as findings. It does not confine
 * the native inference library: no OS-level read-only filesystem, network cut or address-space
 * limit. Every run records level `plain` and raises `behave.isolation-degraded`, so the P16
 * evidence says so. Full isolation needs a Linux workstation with bubblewrap.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync, lstatSync, readlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { IsolationChoice, IsolationLevel, SandboxLimits } from './types.ts';

export const DEFAULT_LIMITS: SandboxLimits = {
  timeoutMs: 30_000,
  lifetimeMs: 10 * 60_000,
  addressSpaceBytes: 'auto',
  heapMegabytes: 512,
  maxOutputBytes: 64 * 1024 * 1024,
  maxResultBytes: 512 * 1024 * 1024,
  threads: defaultThreads(availableParallelism()),
};

/**
 * onnxruntime threads in the worker: one core fewer than the machine has (at most 4), so the
 * app's own process keeps a core for taking in results and for the interface. Measured on
 * 2 cores with the bench model: a second inference thread made the sandboxed run only ~8 %
 * faster, because it then competed with the host reading the outputs; with one, the host's work
 * no longer stalls inference.
 */
export function defaultThreads(cores: number): number {
  return Math.max(1, Math.min(4, cores - 1));
}

const GiB = 1024 ** 3;
/** Node 20 with V8 and onnxruntime needs about 1 GiB of address space before any model. */
export function autoAddressSpace(modelBytes: number): number {
  return Math.max(2 * GiB, GiB + 4 * modelBytes);
}

const OPEN_FILES = 256;
/** Where the worker runs inside bubblewrap: an empty directory in a read-only root. */
const SANDBOX_CWD = '/assay-sandbox';
const NOBODY = 65534;

export interface RuntimePaths {
  /** The Node binary that runs the worker (see the packaging note above). */
  nodePath: string;
  /**
   * Environment the runtime needs to act as Node (ELECTRON_RUN_AS_NODE=1 for the app's own
   * binary); passed through at every isolation level, nothing else of the host's environment is.
   */
  env: Record<string, string>;
  /** The bundled worker, dist/sandbox/worker.mjs. */
  workerPath: string;
  /** onnxruntime-node's entry file (dist/index.js), loaded by absolute path. */
  ortEntry: string;
}

export class SandboxUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SandboxUnavailableError';
  }
}

function moduleUrl(): string | null {
  try {
    return typeof import.meta.url === 'string' ? import.meta.url : null;
  } catch {
    return null;
  }
}

/** The package directory (holding package.json) that contains a resolved file. */
function packageDirOf(file: string, name: string): string {
  let dir = dirname(file);
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'package.json')) && dir.endsWith(name)) return dir;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new SandboxUnavailableError(`cannot find the ${name} package directory from ${file}`);
}

/** Candidate locations of the built worker bundle, most specific first. */
export function workerBundleCandidates(): string[] {
  const out: string[] = [];
  if (process.env.ASSAY_SANDBOX_WORKER) out.push(process.env.ASSAY_SANDBOX_WORKER);
  // The packaged app: the worker must be a real file (unpacked from asar) for bubblewrap to bind.
  const resources = (process as { resourcesPath?: string }).resourcesPath;
  if (resources) out.push(join(resources, 'app.asar.unpacked/dist/sandbox/worker.mjs'));
  const url = moduleUrl();
  if (url) {
    // From main/core/behave/ in a checkout, and from dist/<bundle>/ when the core is bundled.
    out.push(new URL('../../../dist/sandbox/worker.mjs', url).pathname, new URL('../sandbox/worker.mjs', url).pathname);
  }
  out.push(join(process.cwd(), 'dist/sandbox/worker.mjs'));
  return out;
}

/** onnxruntime-node unpacked beside the packaged app's asar archive (only real files can be bound). */
function packagedOrtEntry(): string | undefined {
  const resources = (process as { resourcesPath?: string }).resourcesPath;
  if (!resources) return undefined;
  const entry = join(resources, 'app.asar.unpacked/node_modules/onnxruntime-node/dist/index.js');
  return existsSync(entry) ? entry : undefined;
}

export function resolveRuntimePaths(overrides: Partial<RuntimePaths> = {}): RuntimePaths {
  const workerPath = overrides.workerPath ?? workerBundleCandidates().find((p) => existsSync(p));
  if (!workerPath) throw new SandboxUnavailableError('the sandbox worker bundle is not built (run `npm run build`, or pass runtime.workerPath)');
  let ortEntry = overrides.ortEntry ?? packagedOrtEntry();
  if (!ortEntry) {
    const base = moduleUrl() ?? join(process.cwd(), 'package.json');
    try {
      ortEntry = createRequire(base).resolve('onnxruntime-node');
    } catch (e) {
      throw new SandboxUnavailableError(`onnxruntime-node cannot be resolved: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { nodePath: overrides.nodePath ?? process.execPath, env: { ...overrides.env }, workerPath: realpathSync(workerPath), ortEntry: realpathSync(ortEntry) };
}

/** Files and directories the worker may read: the bundle and the two onnxruntime packages. */
function readablePaths(paths: RuntimePaths): { files: string[]; dirs: string[] } {
  const ortDir = packageDirOf(paths.ortEntry, 'onnxruntime-node');
  const common = createRequire(join(ortDir, 'package.json')).resolve('onnxruntime-common');
  const commonDir = packageDirOf(realpathSync(common), 'onnxruntime-common');
  return { files: [paths.workerPath], dirs: [ortDir, commonDir] };
}

/** `--experimental-permission` on Node 20, `--permission` from Node 22.13/23.5 where it is stable. */
export function permissionFlag(nodeVersion: string): string {
  const [major = 0, minor = 0] = nodeVersion.replace(/^v/, '').split('.').map(Number);
  if (major > 23 || (major === 23 && minor >= 5) || (major === 22 && minor >= 13)) return '--permission';
  return '--experimental-permission';
}

/** What the worker's process sees of the host environment: only what the runtime needs. */
function childEnv(paths: RuntimePaths): Record<string, string> {
  return { ...paths.env, ORT_DISABLE_TELEMETRY: '1', PATH: '/usr/bin:/bin' };
}

const nodeVersions = new Map<string, string>();
/** The Node version the runtime reports (the app's own binary as Node reports Electron's Node). */
export function nodeVersionOf(paths: Pick<RuntimePaths, 'nodePath' | 'env'>): string {
  if (paths.nodePath === process.execPath && Object.keys(paths.env).length === 0) return process.version;
  const key = `${paths.nodePath}|${JSON.stringify(paths.env)}`;
  let v = nodeVersions.get(key);
  if (!v) {
    const r = spawnSync(paths.nodePath, ['--version'], { encoding: 'utf8', timeout: 10_000, env: { ...paths.env, ORT_DISABLE_TELEMETRY: '1' } });
    v = r.status === 0 ? r.stdout.trim() : 'unknown';
    nodeVersions.set(key, v);
  }
  return v;
}

function nodeArgs(paths: RuntimePaths, cwd: string, limits: SandboxLimits): string[] {
  const { files, dirs } = readablePaths(paths);
  return [
    permissionFlag(nodeVersionOf(paths)),
    '--allow-addons',
    ...[...files, ...dirs, cwd].map((p) => `--allow-fs-read=${p}`),
    '--disallow-code-generation-from-strings',
    `--max-old-space-size=${Math.max(64, Math.trunc(limits.heapMegabytes))}`,
    '--no-warnings',
    paths.workerPath,
    `--ort=${paths.ortEntry}`,
  ];
}

const which = new Map<string, string | null>();
function findTool(name: string): string | null {
  if (!which.has(name)) {
    const dirs = ['/usr/bin', '/bin', '/usr/local/bin', '/usr/sbin', '/sbin'];
    which.set(name, dirs.map((d) => join(d, name)).find((p) => existsSync(p)) ?? null);
  }
  return which.get(name) ?? null;
}

/** Top-level system paths: Debian-style symlinks into /usr are recreated, real directories bound read-only. */
function systemBinds(): string[] {
  const args = ['--ro-bind', '/usr', '/usr'];
  for (const p of ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32']) {
    let st;
    try {
      st = lstatSync(p);
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) args.push('--symlink', readlinkSync(p), p);
    else if (st.isDirectory()) args.push('--ro-bind', p, p);
  }
  args.push('--ro-bind-try', '/etc/ld.so.cache', '/etc/ld.so.cache');
  return args;
}

function bwrapPrefix(paths: RuntimePaths): string[] {
  const bwrap = findTool('bwrap');
  if (!bwrap) throw new SandboxUnavailableError('bwrap is not installed');
  const { files, dirs } = readablePaths(paths);
  const binds: string[] = [];
  const nodeReal = realpathSync(paths.nodePath);
  // An app binary acting as Node (Electron) loads resource files from its own directory.
  const runtimeFiles = paths.env.ELECTRON_RUN_AS_NODE ? dirname(nodeReal) : nodeReal;
  for (const p of [runtimeFiles, ...files, ...dirs]) if (!p.startsWith('/usr/')) binds.push('--ro-bind', p, p);
  if (nodeReal !== paths.nodePath && !paths.nodePath.startsWith('/usr/')) binds.push('--ro-bind', paths.nodePath, paths.nodePath);
  const env = Object.entries(paths.env).flatMap(([k, v]) => ['--setenv', k, v]);
  return [
    bwrap,
    '--unshare-all', '--unshare-user', '--uid', String(NOBODY), '--gid', String(NOBODY),
    '--die-with-parent', '--new-session', '--cap-drop', 'ALL',
    '--clearenv', ...env, '--setenv', 'ORT_DISABLE_TELEMETRY', '1', '--setenv', 'PATH', '/usr/bin',
    ...systemBinds(),
    '--proc', '/proc', '--dev', '/dev',
    ...binds,
    '--dir', SANDBOX_CWD, '--chdir', SANDBOX_CWD,
    '--remount-ro', '/',
    '--',
  ];
}

function unsharePrefix(): string[] {
  const unshare = findTool('unshare');
  if (!unshare) throw new SandboxUnavailableError('unshare is not installed');
  return [unshare, '-rn', '--'];
}

function prlimitPrefix(addressSpace: number | null): { prefix: string[]; applied: boolean } {
  const prlimit = findTool('prlimit');
  if (!prlimit || process.platform !== 'linux') return { prefix: [], applied: false };
  const limits = ['--core=0', '--fsize=0', `--nofile=${OPEN_FILES}`];
  if (addressSpace !== null) limits.unshift(`--as=${addressSpace}`);
  return { prefix: [prlimit, ...limits, '--'], applied: true };
}

const LEVELS: readonly IsolationLevel[] = ['bubblewrap', 'unshare', 'plain'];

function levelPrefix(level: IsolationLevel, paths: RuntimePaths): string[] {
  if (level === 'bubblewrap') return bwrapPrefix(paths);
  if (level === 'unshare') return unsharePrefix();
  return [];
}

const probes = new Map<string, { ok: boolean; reason: string }>();

/** Starts `node --version` through a level once per process and remembers whether it worked. */
function probeLevel(level: IsolationLevel, paths: RuntimePaths): { ok: boolean; reason: string } {
  const key = `${level}|${paths.nodePath}|${JSON.stringify(paths.env)}|${paths.workerPath}|${paths.ortEntry}`;
  const known = probes.get(key);
  if (known) return known;
  let result: { ok: boolean; reason: string };
  if (level === 'plain') {
    result = { ok: true, reason: '' };
  } else if (process.platform !== 'linux') {
    result = { ok: false, reason: `${level} needs Linux namespaces; this is ${process.platform}` };
  } else {
    try {
      const argv = [...levelPrefix(level, paths), paths.nodePath, '--version'];
      const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 10_000, cwd: '/', env: childEnv(paths) });
      result = r.status === 0 && /^v\d+/.test(r.stdout.trim())
        ? { ok: true, reason: '' }
        : { ok: false, reason: `probe failed (${r.error ? r.error.message : `exit ${r.status ?? r.signal}`}): ${(r.stderr ?? '').trim().slice(0, 300)}` };
    } catch (e) {
      result = { ok: false, reason: e instanceof Error ? e.message : String(e) };
    }
  }
  probes.set(key, result);
  return result;
}

export interface LevelChoice {
  level: IsolationLevel;
  fallbacks: { level: IsolationLevel; reason: string }[];
}

/** Levels an operator turned off with ASSAY_SANDBOX_DISABLE (comma list), e.g. where bwrap misbehaves. */
function disabledLevels(): Set<string> {
  return new Set((process.env.ASSAY_SANDBOX_DISABLE ?? '').split(',').map((s) => s.trim()).filter(Boolean));
}

/** The level a launch will use: the wanted one, or for 'auto' the strongest that works here. */
export function chooseLevel(wanted: IsolationChoice, paths: RuntimePaths): LevelChoice {
  const disabled = disabledLevels();
  if (wanted !== 'auto') {
    const p = probeLevel(wanted, paths);
    if (!p.ok) throw new SandboxUnavailableError(`isolation level ${wanted} is not available: ${p.reason}`);
    return { level: wanted, fallbacks: [] };
  }
  const fallbacks: { level: IsolationLevel; reason: string }[] = [];
  for (const level of LEVELS) {
    if (level !== 'plain' && disabled.has(level)) {
      fallbacks.push({ level, reason: 'disabled by ASSAY_SANDBOX_DISABLE' });
      continue;
    }
    const p = probeLevel(level, paths);
    if (p.ok) return { level, fallbacks };
    fallbacks.push({ level, reason: p.reason });
  }
  /* c8 ignore next */
  return { level: 'plain', fallbacks };
}

export interface LaunchOptions {
  paths: RuntimePaths;
  isolation: IsolationChoice;
  limits: SandboxLimits;
  /** Size of the model, for an 'auto' address-space limit. */
  modelBytes: number;
}

export interface WorkerProcess {
  child: ChildProcess;
  stdin: Writable;
  /** Frames from the worker (fd 3). */
  messages: Readable;
  stderr: Readable;
  level: IsolationLevel;
  fallbacks: { level: IsolationLevel; reason: string }[];
  command: string[];
  /** Working directory as the worker sees it. */
  cwd: string;
  /** Host path of the working directory when the host can see it (not under bubblewrap). */
  hostCwd: string | null;
  addressSpaceBytes: number | null;
  rlimitsApplied: boolean;
  layers: string[];
  startedAt: number;
  /** Kills the whole process group; idempotent. */
  kill(): void;
  /** Resolves with the exit status once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Removes the host-side working directory (plain and unshare levels). */
  cleanup(): void;
}

export function launchWorker(options: LaunchOptions): WorkerProcess {
  const { paths, limits } = options;
  const { level, fallbacks } = chooseLevel(options.isolation, paths);
  const addressSpaceBytes = limits.addressSpaceBytes === 'auto' ? autoAddressSpace(options.modelBytes) : limits.addressSpaceBytes;
  const hostCwd = level === 'bubblewrap' ? null : mkdtempSync(join(tmpdir(), 'assay-sandbox-'));
  const cwd = hostCwd ?? SANDBOX_CWD;
  const rl = prlimitPrefix(addressSpaceBytes);
  const command = [...rl.prefix, ...levelPrefix(level, paths), paths.nodePath, ...nodeArgs(paths, cwd, limits)];
  // Under bubblewrap the environment is set inside (--clearenv, --setenv); bwrap itself needs none.
  const env = level === 'bubblewrap' ? {} : childEnv(paths);
  const child = spawn(command[0]!, command.slice(1), {
    cwd: hostCwd ?? '/',
    env,
    stdio: ['pipe', 'ignore', 'pipe', 'pipe'],
    // Own process group, so the watchdog's kill reaches everything the launch started.
    detached: true,
  });
  const layers = describeLayers(level, rl.applied, addressSpaceBytes, limits, nodeVersionOf(paths));
  let killed = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => {
    child.once('exit', (code, signal) => res({ code, signal }));
    child.once('error', () => res({ code: null, signal: null }));
  });
  return {
    child,
    stdin: child.stdin!,
    messages: child.stdio[3] as Readable,
    stderr: child.stderr!,
    level,
    fallbacks,
    command,
    cwd,
    hostCwd,
    addressSpaceBytes: rl.applied ? addressSpaceBytes : null,
    rlimitsApplied: rl.applied,
    layers,
    startedAt: performance.now(),
    kill() {
      if (killed || child.exitCode !== null || child.signalCode !== null) return;
      killed = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    },
    exited,
    cleanup() {
      if (hostCwd) rmSync(hostCwd, { recursive: true, force: true });
    },
  };
}

function describeLayers(level: IsolationLevel, rlimits: boolean, addressSpace: number | null, limits: SandboxLimits, nodeVersion: string): string[] {
  const layers: string[] = [];
  if (level === 'bubblewrap') {
    layers.push('bubblewrap: new user (uid 65534), pid, network, ipc, uts and cgroup namespaces; all capabilities dropped; new session; empty environment');
    layers.push('bubblewrap: read-only root of /usr, the Node binary, the worker bundle and the onnxruntime packages; empty working directory; no network');
  } else if (level === 'unshare') {
    layers.push('unshare -rn: user and network namespaces (no network); the host filesystem stays visible to native code');
  } else {
    layers.push('plain child process: no namespaces; native code can reach the filesystem and the network');
  }
  layers.push(`Node ${nodeVersion} permission model: reads limited to the worker bundle, the onnxruntime packages and the working directory; no file writes, child processes or worker threads`);
  if (rlimits) {
    layers.push(`prlimit: ${addressSpace !== null ? `address space ${(addressSpace / GiB).toFixed(2)} GiB, ` : ''}file size 0, no core dumps, ${OPEN_FILES} open files`);
  } else {
    layers.push('no address-space or file-size limit (prlimit unavailable on this platform)');
  }
  layers.push(`V8 heap limit ${limits.heapMegabytes} MiB; watchdog ${limits.timeoutMs} ms without progress, ${limits.lifetimeMs} ms in all; outputs capped at ${limits.maxOutputBytes} bytes per batch`);
  return layers;
}
