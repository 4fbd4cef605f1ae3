// Reads the Python-like TorchScript sources of `code/` for names that reach outside torch. Real
// serialized TorchScript only calls torch operations, builtins of the TorchScript language and
// the classes of its own `__torch__` namespace; the tables below list what never comes out of
// torch.jit.save and what needs a native library. Strings and comments are skipped (string
// contents are still checked for escape dunders, which `getattr(x, "__globals__")` would use).

export interface SourceHit {
  ruleId: 'scan.pytorch.torchscript-unsafe-call' | 'scan.pytorch.torchscript-custom-op';
  /** The dotted name as written (normalised: no spaces around dots). */
  name: string;
  why: string;
  line: number;
  column: number;
  occurrences: number;
}

/**
 * Module roots that reach the operating system, files, the network or the import machinery.
 * Only names that are essentially never local variables; they count when an attribute is
 * taken (`os.system`) or when imported.
 */
const SYSTEM_ROOTS: Readonly<Record<string, string>> = {
  os: 'runs commands and touches files', posix: 'runs commands', nt: 'runs commands', posixpath: 'reaches os functions',
  ntpath: 'reaches os functions', sys: 'reaches the interpreter', subprocess: 'runs commands', pty: 'spawns shells',
  builtins: 'reaches eval/exec/open', __builtin__: 'reaches eval/exec/open', __builtins__: 'reaches eval/exec/open',
  importlib: 'imports code', pkgutil: 'imports code', runpy: 'runs modules', zipimport: 'imports code',
  ctypes: 'calls native code', socket: 'opens network connections', urllib: 'fetches URLs', requests: 'fetches URLs',
  webbrowser: 'opens URLs', shutil: 'copies and deletes files', tempfile: 'creates files', pathlib: 'touches files',
  pickle: 'unpickles data', _pickle: 'unpickles data', marshal: 'loads code objects', multiprocessing: 'spawns processes',
  pip: 'installs packages',
};

/** Builtins that evaluate strings, open files or reach the interpreter; they count when called. */
const UNSAFE_BUILTINS: Readonly<Record<string, string>> = {
  eval: 'evaluates a string', exec: 'executes a string', compile: 'compiles a string', __import__: 'imports a module',
  open: 'opens a file', globals: 'reaches the global namespace', locals: 'reaches the local namespace',
  vars: 'reaches an object namespace', breakpoint: 'starts a debugger',
};

/** Attribute names that escape from an object to the interpreter's internals. */
const ESCAPE_DUNDERS = new Set([
  '__globals__', '__builtins__', '__subclasses__', '__class__', '__bases__', '__base__', '__mro__', '__code__',
  '__closure__', '__func__', '__reduce__', '__reduce_ex__', '__getattribute__', '__dict__', '__import__', '__loader__', '__spec__',
]);

/** torch functions that read or write files or load code. */
const TORCH_SYSTEM: Readonly<Record<string, string>> = {
  'torch.load': 'unpickles a file', 'torch.save': 'writes a file', 'torch.hub': 'downloads and runs code',
  'torch.from_file': 'maps a file', 'torch.ops.load_library': 'loads a native library',
  'torch.classes.load_library': 'loads a native library', 'torch.utils.cpp_extension': 'compiles native code',
  'torch.ops.aten.from_file': 'maps a file', 'ops.aten.from_file': 'maps a file',
};

/** Operator namespaces that ship with PyTorch itself. */
const BUILTIN_OP_NAMESPACES = new Set([
  'aten', 'prim', 'prims', 'quantized', '_quantized', 'quantized_decomposed', '_caffe2', 'profiler', 'c10d',
  '_c10d_functional', '_c10d_functional_autograd', '_dtensor', 'higher_order', 'mkldnn', 'mkldnn_prepacked', 'onednn',
  'sparse', 'xnnpack', 'cuda', 'mps', 'inductor', '_inductor', 'debugprims', 'rngprims', 'fused', '_native_batch_norm_legit',
]);

interface Token {
  name: string;
  line: number;
  column: number;
  /** Preceded by `.` (attribute of an expression) or by `def`/`class` (a definition, not a use). */
  attribute: boolean;
  afterImport: boolean;
  /** Followed by `(`. */
  called: boolean;
}

/** Splits the source into dotted-name tokens, skipping comments and strings (whose text is returned separately). */
function tokenize(src: string): { names: Token[]; strings: { text: string; line: number; column: number }[] } {
  const names: Token[] = [];
  const strings: { text: string; line: number; column: number }[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  let lastSignificant = '';
  let lastWord = '';
  const n = src.length;
  const isStart = (c: string) => /[A-Za-z_]/.test(c);
  const isPart = (c: string) => /[A-Za-z0-9_]/.test(c);
  while (i < n) {
    const c = src[i]!;
    if (c === '\n') { line++; lineStart = i + 1; i++; continue; }
    if (c === '#') { while (i < n && src[i] !== '\n') i++; continue; }
    if (c === '"' || c === "'") {
      const triple = src.startsWith(c.repeat(3), i);
      const quote = triple ? c.repeat(3) : c;
      const startLine = line;
      const startCol = i - lineStart + 1;
      let j = i + quote.length;
      while (j < n && !src.startsWith(quote, j)) {
        if (src[j] === '\\') j++;
        else if (src[j] === '\n') { if (!triple) break; line++; lineStart = j + 1; }
        j++;
      }
      strings.push({ text: src.slice(i + quote.length, Math.min(j, n)), line: startLine, column: startCol });
      i = Math.min(n, j + quote.length);
      lastSignificant = 'str';
      continue;
    }
    if (isStart(c)) {
      const column = i - lineStart + 1;
      const parts: string[] = [];
      let j = i;
      for (;;) {
        let k = j;
        while (k < n && isPart(src[k]!)) k++;
        parts.push(src.slice(j, k));
        let d = k;
        while (d < n && (src[d] === ' ' || src[d] === '\t')) d++;
        if (src[d] !== '.') { j = k; break; }
        let e = d + 1;
        while (e < n && (src[e] === ' ' || src[e] === '\t')) e++;
        if (e >= n || !isStart(src[e]!)) { j = k; break; }
        j = e;
      }
      const name = parts.join('.');
      const attribute = lastSignificant === '.' || lastWord === 'def' || lastWord === 'class';
      let after = j;
      while (after < n && (src[after] === ' ' || src[after] === '\t')) after++;
      names.push({ name, line, column, attribute, afterImport: lastWord === 'import' || lastWord === 'from', called: src[after] === '(' });
      lastWord = parts.length === 1 ? name : '';
      lastSignificant = 'name';
      i = j;
      continue;
    }
    if (c !== ' ' && c !== '\t' && c !== '\r') {
      lastSignificant = c;
      if (c !== ',') lastWord = '';
    }
    i++;
  }
  return { names, strings };
}

export function scanTorchScriptSource(src: string): SourceHit[] {
  const hits = new Map<string, SourceHit>();
  const hit = (ruleId: SourceHit['ruleId'], name: string, why: string, line: number, column: number) => {
    const key = `${ruleId}|${name}`;
    const prev = hits.get(key);
    if (prev) prev.occurrences++;
    else hits.set(key, { ruleId, name, why, line, column, occurrences: 1 });
  };
  const { names, strings } = tokenize(src);
  for (const t of names) {
    const parts = t.name.split('.');
    for (const p of parts) if (ESCAPE_DUNDERS.has(p)) hit('scan.pytorch.torchscript-unsafe-call', t.name, `${p} escapes to interpreter internals`, t.line, t.column);
    if (t.attribute) continue;
    const root = parts[0]!;
    const systemWhy = SYSTEM_ROOTS[root];
    if (systemWhy && (parts.length > 1 || t.afterImport)) {
      hit('scan.pytorch.torchscript-unsafe-call', t.name, `${root} ${systemWhy}${t.afterImport ? ' (imported)' : ''}`, t.line, t.column);
      continue;
    }
    if (parts.length === 1 && t.called && UNSAFE_BUILTINS[root]) {
      hit('scan.pytorch.torchscript-unsafe-call', t.name, UNSAFE_BUILTINS[root]!, t.line, t.column);
      continue;
    }
    const torchKey = Object.keys(TORCH_SYSTEM).find((k) => t.name === k || t.name.startsWith(`${k}.`));
    if (torchKey) {
      hit('scan.pytorch.torchscript-unsafe-call', t.name, TORCH_SYSTEM[torchKey]!, t.line, t.column);
      continue;
    }
    const ns = root === 'torch' && parts[1] === 'ops' ? parts[2] : root === 'ops' ? parts[1] : undefined;
    if (ns !== undefined && !BUILTIN_OP_NAMESPACES.has(ns) && ns !== 'load_library') {
      hit('scan.pytorch.torchscript-custom-op', `${root === 'torch' ? 'torch.' : ''}ops.${ns}`, `operators of the ${ns} namespace come from a native library outside PyTorch`, t.line, t.column);
    }
  }
  for (const s of strings) {
    for (const d of ESCAPE_DUNDERS) {
      if (s.text.includes(d)) hit('scan.pytorch.torchscript-unsafe-call', d, `the string ${JSON.stringify(s.text.slice(0, 60))} names ${d}, which escapes to interpreter internals`, s.line, s.column);
    }
  }
  return [...hits.values()];
}
