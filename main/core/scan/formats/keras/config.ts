// Checks a Keras model config (Keras 3 `config.json` in a `.keras` archive, or the Keras 2 JSON
// kept in an HDF5 `model_config` attribute) for what runs code when the model is loaded: Lambda
// bytecode, modules the loader imports, registered custom objects, downloads, and
// TorchModuleWrapper's pickled PyTorch module.
import type { Severity } from '../../../../../shared/findings.ts';
import { appendPath } from '../common/json-path.ts';
import { decodeLambdaCode } from './marshal.ts';

export interface KerasIssue {
  ruleId: 'scan.keras.lambda-code' | 'scan.keras.external-module' | 'scan.keras.custom-object' | 'scan.keras.remote-file' | 'scan.keras.torch-module-wrapper';
  severity: Severity;
  message: string;
  jsonPath: string;
  evidence?: Record<string, unknown>;
  /** Bytes embedded in the config that must be scanned as their own unit (a pickled module). */
  embedded?: { name: string; bytes: Uint8Array };
}

/**
 * Module roots a Keras config may reference without custom code: Keras, TensorFlow, NumPy and
 * math, plus the Keras team's own model libraries (KerasHub and its predecessors), whose
 * published presets reference their classes by module.
 */
const ALLOWED_MODULE_ROOTS = new Set(['keras', 'tensorflow', 'tf_keras', 'numpy', 'math', 'keras_hub', 'keras_nlp', 'keras_cv']);

/** Module roots whose functions run commands, import code or touch files and the network. */
const DANGEROUS_MODULE_ROOTS = new Set([
  'os', 'posix', 'nt', 'posixpath', 'ntpath', 'subprocess', '_posixsubprocess', 'sys', 'builtins', '__builtin__', 'importlib',
  'runpy', 'code', 'codeop', 'shutil', 'socket', 'pty', 'ctypes', 'pickle', '_pickle', 'dill', 'marshal', 'webbrowser',
  'urllib', 'requests', 'http', 'multiprocessing', 'pdb', 'timeit', 'tempfile', 'io', 'pathlib', 'glob', 'pydoc', 'operator',
  'functools', 'types', 'platform', 'asyncio', 'torch',
]);

const MODULE_NAME = /^[A-Za-z_][\w]*(\.[A-Za-z_]\w*)*$/;
const URL = /^(?:https?|ftp|s3|gs|hdfs|file):\/\//i;
const MAX_NODES = 2_000_000;
const MAX_EMBEDDED = 256 * 1024 * 1024;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonRecord = { [key: string]: Json };

function isRecord(v: unknown): v is JsonRecord {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A Keras config is an object naming a `class_name` with a `config` (the model object). */
export function looksLikeKerasConfig(doc: unknown): boolean {
  return isRecord(doc) && typeof doc.class_name === 'string' && 'config' in doc;
}

export function checkKerasConfig(doc: unknown, root = '$'): KerasIssue[] {
  const issues: KerasIssue[] = [];
  const skipModuleCheck = new Set<object>();
  const handled = new Set<object>();
  const stack: { v: Json; path: string }[] = [{ v: doc as Json, path: root }];
  let nodes = 0;
  while (stack.length > 0 && nodes++ < MAX_NODES) {
    const { v, path } = stack.pop()!;
    if (typeof v === 'string') {
      if (URL.test(v)) {
        issues.push({ ruleId: 'scan.keras.remote-file', severity: 'medium', message: `config refers to the URL ${v.slice(0, 200)} at ${path}`, jsonPath: path, evidence: { url: v.slice(0, 2000) } });
      }
      continue;
    }
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i]!, path: appendPath(path, i) });
      continue;
    }
    if (!isRecord(v)) continue;
    checkObject(v, path, issues, skipModuleCheck, handled);
    const keys = Object.keys(v);
    for (let i = keys.length - 1; i >= 0; i--) stack.push({ v: v[keys[i]!]!, path: appendPath(path, keys[i]!) });
  }
  return issues;
}

function checkObject(o: JsonRecord, path: string, issues: KerasIssue[], skipModuleCheck: Set<object>, handled: Set<object>): void {
  const className = typeof o.class_name === 'string' ? o.class_name : null;
  const config = isRecord(o.config) ? o.config : null;
  const layerName = config && typeof config.name === 'string' ? config.name : null;
  const label = layerName ? `${className ?? 'object'} layer ${JSON.stringify(layerName)}` : (className ?? 'object');

  if (className === 'Lambda' && config) {
    // Keras 3: `function` is a `__lambda__` object; report it under the layer's name.
    const fnObject = config.function;
    if (isRecord(fnObject) && fnObject.class_name === '__lambda__' && isRecord(fnObject.config)) {
      const code = codeOf(fnObject.config.code) ?? codeOf(fnObject.config.value);
      if (code !== null) {
        handled.add(fnObject);
        issues.push(lambdaIssue(code, appendPath(appendPath(appendPath(appendPath(path, 'config'), 'function'), 'config'), fnObject.config.code !== undefined ? 'code' : 'value'), label));
      }
    }
    // Keras 2: `function` is [code, defaults, closure] or the code itself when function_type is 'lambda'.
    for (const [field, typeField] of [['function', 'function_type'], ['output_shape', 'output_shape_type']] as const) {
      const kind = config[typeField];
      const code = codeOf(config[field]);
      if (code !== null && (kind === 'lambda' || (kind === undefined && field === 'function'))) {
        skipModuleCheck.add(config);
        issues.push(lambdaIssue(code, appendPath(appendPath(path, 'config'), field), label));
      }
      if (kind === 'function' && typeof config[field] === 'string') {
        skipModuleCheck.add(config);
        checkModuleRef(config, typeField === 'function_type' ? 'module' : 'output_shape_module', config[field] as string, appendPath(path, 'config'), label, issues, true);
        if (config[field] === 'get_file') issues.push(getFileIssue(appendPath(appendPath(path, 'config'), field), label));
      }
    }
  }
  if (className === '__lambda__' && config && !handled.has(o)) {
    // Keras 3: {"class_name": "__lambda__", "config": {"code": ...}} or {"config": {"value": [code, ...]}}.
    const code = codeOf(config.code) ?? codeOf(config.value);
    if (code !== null) issues.push(lambdaIssue(code, appendPath(appendPath(path, 'config'), config.code !== undefined ? 'code' : 'value'), 'lambda function'));
  }
  if (className === 'TorchModuleWrapper') {
    const payload = config?.module;
    const bytes = embeddedBytes(payload);
    issues.push({
      ruleId: 'scan.keras.torch-module-wrapper', severity: 'high',
      message: `${label} stores a pickled PyTorch module${bytes ? ` (${bytes.length} bytes, scanned as a nested unit)` : ''}; loading it calls torch.load`,
      jsonPath: path,
      ...(bytes ? { embedded: { name: `${layerName ?? 'TorchModuleWrapper'}.module`, bytes } } : {}),
    });
  }
  if (className === 'function' && o.config === 'get_file') issues.push(getFileIssue(path, 'function reference'));

  // A Lambda's `module` is where its (already reported) bytecode was written; a
  // TorchModuleWrapper's `config.module` is the pickled module itself, not a module name.
  if (className === 'TorchModuleWrapper' && config) skipModuleCheck.add(config);
  if (!skipModuleCheck.has(o)) {
    const target = className === 'function' && typeof o.config === 'string' ? o.config : className;
    for (const key of Object.keys(o)) {
      if (key === 'module' || key.endsWith('_module')) checkModuleRef(o, key, target, path, label, issues, false);
    }
  }

  const registered = o.registered_name;
  // Functions carry their own name as registered_name; a `package>name` registration is custom
  // unless the package is one of the allowed Keras libraries (KerasHub registers as `keras_hub>`).
  const registeredPackage = typeof registered === 'string' && registered.includes('>') ? registered.slice(0, registered.indexOf('>')) : null;
  const custom = registeredPackage !== null ? !ALLOWED_MODULE_ROOTS.has(registeredPackage) : className !== 'function' && registered !== className;
  if (typeof registered === 'string' && registered !== '' && className !== null && custom) {
    const module = typeof o.module === 'string' ? o.module : null;
    if (!module || ALLOWED_MODULE_ROOTS.has(module.split('.')[0]!)) {
      issues.push({
        ruleId: 'scan.keras.custom-object', severity: 'medium',
        message: `${label} is the registered custom object ${JSON.stringify(registered)}; loading needs its Python code`,
        jsonPath: appendPath(path, 'registered_name'), evidence: { registeredName: registered, className },
      });
    }
  }
}

function checkModuleRef(o: JsonRecord, key: string, target: string | null, path: string, label: string, issues: KerasIssue[], lambdaFunction: boolean): void {
  const module = o[key];
  if (typeof module !== 'string' || module.length > 200 || !MODULE_NAME.test(module)) return;
  const rootName = module.split('.')[0]!;
  if (ALLOWED_MODULE_ROOTS.has(rootName)) return;
  const dangerous = DANGEROUS_MODULE_ROOTS.has(rootName);
  const what = target ? `${module}.${target}` : module;
  issues.push({
    ruleId: 'scan.keras.external-module',
    severity: dangerous ? 'critical' : 'medium',
    message: `${label} makes the loader import ${module}${target ? ` and use ${what}` : ''}${lambdaFunction ? ' as the layer function' : ''}${dangerous ? '; this module runs commands, imports code or touches files' : ''}`,
    jsonPath: appendPath(path, key),
    evidence: { module, target, dangerous },
  });
}

function getFileIssue(jsonPath: string, label: string): KerasIssue {
  return { ruleId: 'scan.keras.remote-file', severity: 'medium', message: `${label} calls get_file, which downloads a file when the model runs`, jsonPath, evidence: { function: 'get_file' } };
}

/** The base64 code of a lambda: a string, or the first item of [code, defaults, closure]. */
function codeOf(v: Json | undefined): string | null {
  if (typeof v === 'string' && v.length >= 8) return v;
  if (Array.isArray(v) && typeof v[0] === 'string' && v[0].length >= 8) return v[0];
  return null;
}

function lambdaIssue(code: string, jsonPath: string, label: string): KerasIssue {
  const decoded = decodeLambdaCode(code);
  if (!decoded) {
    return {
      ruleId: 'scan.keras.lambda-code', severity: 'high',
      message: `${label} carries a function Assay could not decode as base64 bytecode; loading it still runs code`,
      jsonPath, evidence: { encodedLength: code.length },
    };
  }
  const refs = decoded.names.slice(0, 12).join(', ');
  return {
    ruleId: 'scan.keras.lambda-code',
    severity: decoded.dangerous.length > 0 ? 'critical' : 'high',
    message: `${label} carries ${decoded.bytes} bytes of ${decoded.isCode ? 'marshalled Python bytecode' : 'base64 data loaded as bytecode'}${refs ? ` referencing ${refs}` : ''}${decoded.dangerous.length > 0 ? `; it reaches ${decoded.dangerous.join(', ')}` : ''}`,
    jsonPath,
    evidence: { bytes: decoded.bytes, isCode: decoded.isCode, names: decoded.names.slice(0, 50), strings: decoded.strings.slice(0, 20), dangerous: decoded.dangerous },
  };
}

function embeddedBytes(payload: Json | undefined): Uint8Array | null {
  if (typeof payload === 'string' && payload.length <= (MAX_EMBEDDED / 3) * 4) {
    const compact = payload.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return null;
    return Uint8Array.from(Buffer.from(compact, 'base64'));
  }
  if (Array.isArray(payload) && payload.length <= MAX_EMBEDDED && payload.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x < 256)) {
    return Uint8Array.from(payload as number[]);
  }
  return null;
}
