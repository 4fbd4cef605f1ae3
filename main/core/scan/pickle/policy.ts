// Classification of the globals a pickle reaches. Allowlist first: an explicit set of
// (module, qualified name) pairs that real PyTorch, NumPy, joblib and scikit-learn files contain
// is clean; a few libraries whose objects are routinely pickled are "common" (reported for
// information); everything else is unknown and needs review. The denylist only explains and
// raises severity: it names what a callable does, it is never the reason something passes.
import type { PickleTier } from '../../../../shared/pickle-detail.ts';
import { isDunder } from './values.ts';

export type Tier = PickleTier;
export type DenyCategory = 'exec' | 'loader' | 'gadget' | 'system' | 'dunder';

export interface Classification {
  tier: Tier;
  category: DenyCategory | null;
  /** Rule raised when the global is referenced or called (null for allowed). */
  ruleId: string | null;
  /** Why, in a sentence fragment: "runs operating-system commands". */
  reason: string;
  /** The (module, name) that decided, when it differs from the one named (Python 2 names, dotted routes). */
  matched: string | null;
  /** `module.name` after Python 2 mapping: the key of the special-call tables below. */
  canonical: string;
  /** SPECIAL_* flags: which special-call tables name this global (0 for most). */
  special: number;
}

export const SPECIAL_BYTE_LOADER = 1;
export const SPECIAL_CALLS_ARGUMENT = 2;
export const SPECIAL_RESOLVER = 4;
export const SPECIAL_CODECS_ENCODE = 8;
/** Results the bounded memo keeps however old (dtypes fetched again by later arrays). */
export const SPECIAL_KEEP_RESULT = 16;

// ---------------------------------------------------------------------------------------------
// Python 2 names the unpickler maps for protocols < 3 (facts from CPython's _compat_pickle).
const IMPORT_MAPPING: Readonly<Record<string, string>> = {
  __builtin__: 'builtins', copy_reg: 'copyreg', Queue: 'queue', SocketServer: 'socketserver',
  ConfigParser: 'configparser', repr: 'reprlib', markupbase: '_markupbase', _winreg: 'winreg',
  thread: '_thread', dummy_thread: '_dummy_thread', dbhash: 'dbm.bsd', dumbdbm: 'dbm.dumb',
  dbm: 'dbm.ndbm', gdbm: 'dbm.gnu', xmlrpclib: 'xmlrpc.client', SimpleXMLRPCServer: 'xmlrpc.server',
  httplib: 'http.client', htmlentitydefs: 'html.entities', HTMLParser: 'html.parser',
  Cookie: 'http.cookies', cookielib: 'http.cookiejar', BaseHTTPServer: 'http.server',
  'test.test_support': 'test.support', commands: 'subprocess', urlparse: 'urllib.parse',
  robotparser: 'urllib.robotparser', urllib2: 'urllib.request', anydbm: 'dbm', _abcoll: 'collections.abc',
  cPickle: 'pickle', _elementtree: 'xml.etree.ElementTree', DocXMLRPCServer: 'xmlrpc.server',
  SimpleHTTPServer: 'http.server', CGIHTTPServer: 'http.server', UserDict: 'collections',
  UserList: 'collections', UserString: 'collections', whichdb: 'dbm', StringIO: 'io', cStringIO: 'io',
};

const NAME_MAPPING: Readonly<Record<string, readonly [string, string]>> = {
  '__builtin__.xrange': ['builtins', 'range'],
  '__builtin__.reduce': ['functools', 'reduce'],
  '__builtin__.intern': ['sys', 'intern'],
  '__builtin__.unichr': ['builtins', 'chr'],
  '__builtin__.unicode': ['builtins', 'str'],
  '__builtin__.long': ['builtins', 'int'],
  '__builtin__.basestring': ['builtins', 'str'],
  'itertools.izip': ['builtins', 'zip'],
  'itertools.imap': ['builtins', 'map'],
  'itertools.ifilter': ['builtins', 'filter'],
  '_socket.fromfd': ['socket', 'fromfd'],
  '_multiprocessing.Connection': ['multiprocessing.connection', 'Connection'],
  'multiprocessing.process.Process': ['multiprocessing.context', 'Process'],
  'multiprocessing.forking.Popen': ['multiprocessing.popen_fork', 'Popen'],
  'urllib.urlopen': ['urllib.request', 'urlopen'],
  'urllib.urlretrieve': ['urllib.request', 'urlretrieve'],
  'UserDict.IterableUserDict': ['collections', 'UserDict'],
};

/** The (module, name) the unpickler really imports for a Python 2 name; the input when unmapped. */
export function python3Name(module: string, name: string): [string, string] {
  const exact = NAME_MAPPING[`${module}.${name}`];
  if (exact) return [exact[0], exact[1]];
  if (module === 'exceptions') return ['builtins', name];
  return [IMPORT_MAPPING[module] ?? module, name];
}

// ---------------------------------------------------------------------------------------------
// Allowlist: exact (module, qualified name) pairs.
const TORCH_STORAGES = [
  'FloatStorage', 'DoubleStorage', 'HalfStorage', 'BFloat16Storage', 'LongStorage', 'IntStorage',
  'ShortStorage', 'CharStorage', 'ByteStorage', 'BoolStorage', 'ComplexFloatStorage',
  'ComplexDoubleStorage', 'QInt8Storage', 'QUInt8Storage', 'QInt32Storage', 'QUInt4x2Storage',
  'QUInt2x4Storage', 'UntypedStorage', 'TypedStorage',
];
const TORCH_DTYPES = [
  'float32', 'float', 'float64', 'double', 'float16', 'half', 'bfloat16', 'complex32', 'chalf',
  'complex64', 'cfloat', 'complex128', 'cdouble', 'uint8', 'uint16', 'uint32', 'uint64', 'int8',
  'int16', 'short', 'int32', 'int', 'int64', 'long', 'bool', 'quint8', 'qint8', 'qint32',
  'quint4x2', 'quint2x4', 'float8_e4m3fn', 'float8_e5m2', 'float8_e4m3fnuz', 'float8_e5m2fnuz',
  'float8_e8m0fnu', 'float4_e2m1fn_x2', 'bits8', 'bits16', 'bits1x8', 'bits2x4', 'bits4x2',
];
const TORCH_OTHER = [
  'Size', 'device', 'dtype', 'layout', 'memory_format', 'Tensor', 'strided', 'sparse_coo', 'sparse_csr',
  'sparse_csc', 'sparse_bsr', 'sparse_bsc', '_mkldnn', 'contiguous_format', 'channels_last',
  'channels_last_3d', 'preserve_format', 'per_tensor_affine', 'per_channel_affine',
  'per_tensor_symmetric', 'per_channel_symmetric', 'per_channel_affine_float_qparams', 'qscheme',
];
// Legacy tensor classes: the `tensors` stream of every legacy tar checkpoint names them.
const TORCH_LEGACY_TENSORS = [
  'FloatTensor', 'DoubleTensor', 'HalfTensor', 'BFloat16Tensor', 'ByteTensor', 'CharTensor',
  'ShortTensor', 'IntTensor', 'LongTensor', 'BoolTensor',
];
// What a TorchScript archive's data.pkl and constants.pkl call to rebuild typed containers.
const TORCHSCRIPT_PICKLE_HELPERS = [
  'build_intlist', 'build_tensorlist', 'build_doublelist', 'build_boollist', 'build_tensor_from_id',
  'restore_type_tag',
];
const TORCH_REBUILDERS = [
  '_rebuild_tensor', '_rebuild_tensor_v2', '_rebuild_tensor_v3', '_rebuild_parameter',
  '_rebuild_parameter_with_state', '_rebuild_from_type', '_rebuild_from_type_v2',
  '_rebuild_sparse_tensor', '_rebuild_sparse_csr_tensor', '_rebuild_device_tensor_from_numpy',
  '_rebuild_device_tensor_from_cpu_tensor', '_rebuild_meta_tensor_no_storage',
  '_rebuild_wrapper_subclass', '_rebuild_nested_tensor', '_rebuild_qtensor', '_rebuild_xla_tensor',
  '_rebuild_mps_tensor', '_rebuild_mtia_tensor', '_rebuild_cuda_tensor',
];
const NUMPY_SCALARS = [
  'bool_', 'bool', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64',
  'float16', 'float32', 'float64', 'longdouble', 'complex64', 'complex128', 'clongdouble', 'str_',
  'bytes_', 'void', 'object_', 'datetime64', 'timedelta64', 'intc', 'uintc', 'intp', 'uintp',
  'longlong', 'ulonglong', 'half', 'single', 'double', 'csingle', 'cdouble', 'byte', 'ubyte',
  'short', 'ushort', 'long', 'ulong', 'float_', 'complex_', 'int_', 'uint', 'string_', 'unicode_',
];
const NUMPY_DTYPE_CLASSES = [
  'BoolDType', 'Int8DType', 'Int16DType', 'Int32DType', 'Int64DType', 'UInt8DType', 'UInt16DType',
  'UInt32DType', 'UInt64DType', 'Float16DType', 'Float32DType', 'Float64DType', 'LongDoubleDType',
  'Complex64DType', 'Complex128DType', 'CLongDoubleDType', 'ObjectDType', 'BytesDType', 'StrDType',
  'VoidDType', 'DateTime64DType', 'TimeDelta64DType', 'StringDType', 'ByteDType', 'UByteDType',
  'ShortDType', 'UShortDType', 'IntDType', 'UIntDType', 'LongDType', 'ULongDType', 'LongLongDType',
  'ULongLongDType',
];

const ALLOWED_PAIRS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['builtins', ['set', 'frozenset', 'slice', 'complex', 'bytearray', 'bytes', 'range', 'int', 'float',
    'str', 'list', 'dict', 'tuple', 'bool', 'object', 'Ellipsis', 'NotImplemented']],
  ['collections', ['OrderedDict', 'defaultdict', 'deque', 'Counter']],
  ['_codecs', ['encode']],
  ['codecs', ['encode']],
  // NEWOBJ spelled as a call: equivalent to the opcode, the class argument is what gets classified.
  ['copyreg', ['_reconstructor', '__newobj__', '__newobj_ex__']],
  ['datetime', ['datetime', 'date', 'time', 'timedelta', 'timezone']],
  ['decimal', ['Decimal']],
  ['fractions', ['Fraction']],
  ['uuid', ['UUID']],
  ['argparse', ['Namespace']],
  ['types', ['SimpleNamespace']],
  ['pathlib', ['Path', 'PosixPath', 'WindowsPath', 'PurePath', 'PurePosixPath', 'PureWindowsPath']],
  ['array', ['array', '_array_reconstructor']],
  ['torch', [...TORCH_STORAGES, ...TORCH_DTYPES, ...TORCH_OTHER, ...TORCH_LEGACY_TENSORS]],
  ['torch.cuda', [...TORCH_STORAGES, ...TORCH_LEGACY_TENSORS]],
  ['torch.jit._pickle', TORCHSCRIPT_PICKLE_HELPERS],
  ['torch.storage', ['UntypedStorage', 'TypedStorage', '_TypedStorage', '_UntypedStorage']],
  ['torch._utils', TORCH_REBUILDERS],
  ['torch._tensor', ['_rebuild_from_type', '_rebuild_from_type_v2', 'Tensor']],
  ['torch.nn.parameter', ['Parameter', 'Buffer', 'UninitializedParameter', 'UninitializedBuffer']],
  ['torch.serialization', ['_get_layout']],
  ['numpy', ['ndarray', 'dtype', 'matrix', 'recarray', 'record', 'memmap_', ...NUMPY_SCALARS]],
  ['numpy.dtypes', NUMPY_DTYPE_CLASSES],
  ['numpy.core.multiarray', ['_reconstruct', 'scalar']],
  ['numpy._core.multiarray', ['_reconstruct', 'scalar']],
  ['numpy.core._multiarray_umath', ['_reconstruct', 'scalar']],
  ['numpy._core._multiarray_umath', ['_reconstruct', 'scalar']],
  ['numpy.core.numeric', ['_frombuffer']],
  ['numpy._core.numeric', ['_frombuffer']],
  ['numpy.ma.core', ['_mareconstruct', 'MaskedArray', 'mvoid']],
  ['numpy.random._pickle', ['__randomstate_ctor', '__bit_generator_ctor', '__generator_ctor']],
  ['numpy.random.mtrand', ['RandomState']],
  ['numpy.random._generator', ['Generator']],
  ['numpy.random._mt19937', ['MT19937']],
  ['numpy.random._pcg64', ['PCG64', 'PCG64DXSM']],
  ['numpy.random._philox', ['Philox']],
  ['numpy.random._sfc64', ['SFC64']],
  ['numpy.random.bit_generator', ['SeedSequence']],
  ['joblib.numpy_pickle', ['NumpyArrayWrapper']],
  ['joblib.numpy_pickle_compat', ['NDArrayWrapper', 'ZNDArrayWrapper']],
  ['sklearn.externals.joblib.numpy_pickle', ['NumpyArrayWrapper']],
  ['sklearn.externals.joblib.numpy_pickle_compat', ['NDArrayWrapper', 'ZNDArrayWrapper']],
];

const ALLOWED: ReadonlySet<string> = new Set(ALLOWED_PAIRS.flatMap(([m, names]) => names.map((n) => `${m}\n${n}`)));

// ---------------------------------------------------------------------------------------------
// Unknown-but-common: libraries whose classes are routinely pickled. Class-shaped names only
// (a capital first letter, no dotted attribute path), plus the few reconstructor functions they
// emit; anything else in these packages is unknown like everything else.
interface CommonEntry { prefix: string; library: string; functions?: readonly string[] }
const COMMON: readonly CommonEntry[] = [
  { prefix: 'sklearn.', library: 'scikit-learn', functions: ['newObj', '_passthrough_scorer', '_reconstruct_estimator'] },
  { prefix: 'scipy.sparse.', library: 'SciPy sparse matrices' },
  { prefix: 'torch.nn.modules.', library: 'PyTorch module classes' },
  { prefix: 'xgboost.', library: 'XGBoost (scikit-learn API)' },
  { prefix: 'lightgbm.', library: 'LightGBM (scikit-learn API)' },
];

// ---------------------------------------------------------------------------------------------
// Denylist. `names` undefined: every attribute of the module (and of its submodules when
// `submodules`). A name ending in `.*` matches that attribute's own attributes (methods).
interface DenyEntry {
  modules: readonly string[];
  names?: readonly string[];
  submodules?: boolean;
  category: Exclude<DenyCategory, 'dunder'>;
  reason: string;
}

const DENY: readonly DenyEntry[] = [
  // Process and code execution.
  { modules: ['os', 'posix', 'nt', 'subprocess', '_posixsubprocess', 'pty', 'commands', 'popen2', '_winapi'], submodules: true, category: 'exec', reason: 'runs operating-system commands or changes the process' },
  { modules: ['builtins'], names: ['eval', 'exec', 'compile', 'breakpoint', 'apply', 'execfile'], category: 'exec', reason: 'evaluates Python code' },
  { modules: ['runpy', 'code', 'codeop', 'marshal', 'pdb', 'bdb', 'profile', 'cProfile', '_lsprof', 'trace', 'timeit', 'doctest', 'idlelib', 'lib2to3', '_osx_support', '_aix_support', '_pyrepl', 'setuptools', 'IPython'], submodules: true, category: 'exec', reason: 'compiles or executes Python code' },
  { modules: ['types'], names: ['CodeType', 'FunctionType', 'LambdaType', 'MethodType', 'new_class', 'ModuleType'], category: 'exec', reason: 'builds code or function objects' },
  { modules: ['ctypes', '_ctypes', 'cffi'], submodules: true, category: 'exec', reason: 'loads native libraries and calls native code' },
  { modules: ['multiprocessing', '_multiprocessing'], submodules: true, category: 'exec', reason: 'starts processes (e.g. `multiprocessing.util.spawnv_passfds`)' },
  { modules: ['uuid'], names: ['_get_command_stdout', '_popen', '_ifconfig_getnode', '_ip_getnode', '_arp_getnode', '_lanscan_getnode', '_netstat_getnode'], category: 'exec', reason: 'runs external commands' },
  { modules: ['platform'], names: ['_syscmd_file', '_syscmd_ver', 'popen', '_syscmd_uname'], category: 'exec', reason: 'runs external commands' },
  { modules: ['imaplib'], names: ['IMAP4_stream'], category: 'exec', reason: 'runs a command as the IMAP transport' },
  { modules: ['asyncio'], names: ['create_subprocess_exec', 'create_subprocess_shell', 'subprocess'], category: 'exec', reason: 'starts processes' },
  { modules: ['asyncio.subprocess', 'asyncio.base_subprocess', 'asyncio.unix_events', 'asyncio.windows_utils', 'asyncio.windows_events'], submodules: true, category: 'exec', reason: 'starts processes through asyncio subprocess transports' },
  { modules: ['numpy.f2py', 'numpy.distutils', 'numpy.ctypeslib'], submodules: true, category: 'exec', reason: 'compiles or loads native code' },
  { modules: ['numpy.testing._private.utils', 'numpy.testing'], names: ['runstring'], category: 'exec', reason: 'executes a string of Python code' },
  { modules: ['torch.utils.collect_env'], category: 'exec', reason: 'runs external commands' },
  { modules: ['torch.jit.unsupported_tensor_ops'], names: ['execWrapper'], category: 'exec', reason: 'executes Python code' },
  { modules: ['torch._inductor.codecache'], category: 'exec', reason: 'compiles and loads native code' },
  { modules: ['torch.utils._config_module'], names: ['ConfigModule'], category: 'exec', reason: '`load_config` unpickles and applies configuration' },
  { modules: ['torch.utils.cpp_extension'], category: 'exec', reason: 'compiles and loads native extensions' },
  { modules: ['torch.ops', 'torch.classes', 'torch._ops'], names: ['load_library'], category: 'exec', reason: 'loads a native library' },
  { modules: ['logging.config'], category: 'exec', reason: 'configuration that instantiates arbitrary callables or listens on a socket' },
  { modules: ['mlflow.projects', 'mlflow.utils.process', 'mlflow.pyfunc.backend'], submodules: true, category: 'exec', reason: 'runs project entry points and commands' },
  { modules: ['distutils.spawn'], category: 'exec', reason: 'runs external commands' },
  // Importers and loaders.
  { modules: ['builtins'], names: ['__import__', 'reload'], category: 'loader', reason: 'imports arbitrary modules' },
  { modules: ['importlib', 'imp', 'zipimport', 'pkgutil', 'site', 'pip', 'ensurepip', 'venv', 'pydoc'], submodules: true, category: 'loader', reason: 'imports modules or resolves arbitrary names' },
  { modules: ['pickle', '_pickle', 'cPickle'], names: ['load', 'loads', 'Unpickler', '_load', '_loads', '_Unpickler'], category: 'loader', reason: 'unpickles a further stream' },
  { modules: ['dill', 'cloudpickle', 'jsonpickle', 'shelve'], submodules: true, category: 'loader', reason: 'deserialises further objects (including code)' },
  { modules: ['yaml'], names: ['load', 'load_all', 'unsafe_load', 'unsafe_load_all', 'full_load', 'full_load_all', 'UnsafeLoader', 'FullLoader', 'Loader'], category: 'loader', reason: 'loads YAML that can construct Python objects' },
  { modules: ['joblib', 'joblib.numpy_pickle', 'sklearn.externals.joblib'], names: ['load', 'load_compatibility'], category: 'loader', reason: 'unpickles a further file' },
  { modules: ['torch', 'torch.serialization'], names: ['load', '_load', '_legacy_load'], category: 'loader', reason: 'unpickles a further checkpoint' },
  { modules: ['torch'], names: ['hub', 'package'], category: 'loader', reason: 'downloads or imports further code' },
  { modules: ['torch.hub', 'torch.package'], submodules: true, category: 'loader', reason: 'downloads or imports further code' },
  { modules: ['torch.jit', 'torch.jit._serialization'], names: ['load', '_load_for_lite_interpreter'], category: 'loader', reason: 'loads a further TorchScript program' },
  { modules: ['torch.storage'], names: ['_load_from_bytes'], category: 'loader', reason: 'runs torch.load on bytes' },
  { modules: ['numpy', 'numpy.lib.npyio', 'numpy.lib._npyio_impl', 'numpy.lib.format'], names: ['load', 'read_array'], category: 'loader', reason: 'loads a further file, possibly with pickles' },
  { modules: ['numpy.core', 'numpy._core'], names: ['_ufunc_reconstruct'], category: 'loader', reason: 'imports a module named by the pickle and fetches any attribute of it' },
  { modules: ['pandas', 'pandas.io.pickle'], names: ['read_pickle'], category: 'loader', reason: 'unpickles a further file' },
  { modules: ['keras.models', 'keras.saving', 'tensorflow.keras.models'], names: ['load_model'], category: 'loader', reason: 'loads a further model, possibly with code' },
  // Attribute and call gadgets.
  { modules: ['builtins'], names: ['getattr', 'setattr', 'delattr', 'globals', 'locals', 'vars', 'help'], category: 'gadget', reason: 'reaches attributes by name' },
  { modules: ['builtins'], names: ['.*'], category: 'gadget', reason: 'is a method of a built-in type (such as `dict.get`), a way to call into objects the pickle holds' },
  { modules: ['operator', '_operator'], names: ['attrgetter', 'itemgetter', 'methodcaller', 'call'], category: 'gadget', reason: 'fetches attributes or calls methods by name' },
  { modules: ['functools', '_functools'], names: ['partial', 'reduce', 'partialmethod'], category: 'gadget', reason: 'calls a callable on the pickle\'s behalf' },
  { modules: ['string'], names: ['Template', 'Formatter'], category: 'gadget', reason: 'looks up attributes through format strings' },
  { modules: ['weakref', '_weakref', 'concurrent.futures', 'atexit', 'sched'], submodules: true, category: 'gadget', reason: 'registers callbacks that run later' },
  { modules: ['threading'], names: ['Thread', 'Timer'], category: 'gadget', reason: 'runs a callable in a thread' },
  { modules: ['collections'], names: ['ChainMap'], category: 'gadget', reason: 'layers mappings to hijack lookups' },
  { modules: ['types'], names: ['MappingProxyType'], category: 'gadget', reason: 'exposes internal namespaces' },
  { modules: ['copyreg', 'copy_reg'], names: ['add_extension', 'remove_extension', 'pickle', 'constructor'], category: 'gadget', reason: 'rewrites the pickle registries' },
  { modules: ['gc'], names: ['get_objects', 'get_referrers', 'get_referents'], category: 'gadget', reason: 'reaches any live object' },
  { modules: ['inspect'], category: 'gadget', reason: 'reaches frames, globals and source of live objects' },
  // Network, files and interpreter state.
  { modules: ['socket', '_socket', 'ssl', '_ssl', 'http', 'urllib', 'urllib2', 'urllib3', 'requests', 'httpx', 'httplib2', 'aiohttp', 'smtplib', 'ftplib', 'poplib', 'nntplib', 'telnetlib', 'imaplib', 'webbrowser', 'socketserver', 'xmlrpc', 'select', 'selectors', 'asyncio', 'paramiko'], submodules: true, category: 'system', reason: 'opens network connections' },
  { modules: ['shutil', 'tempfile', 'glob', 'fileinput', 'filecmp', 'linecache', 'sqlite3', 'dbm', 'tarfile', 'zipfile', 'mmap', 'fcntl', 'distutils', 'msvcrt', 'winreg', 'signal', 'resource', 'pwd', 'grp', 'sys', 'logging.handlers'], submodules: true, category: 'system', reason: 'touches files, devices or interpreter state' },
  { modules: ['builtins'], names: ['open', 'file', 'input', 'exit', 'quit'], category: 'system', reason: 'opens files or reads the console' },
  { modules: ['io', '_io'], names: ['open', 'FileIO', 'open_code', 'BufferedReader', 'BufferedWriter', 'BufferedRandom', 'TextIOWrapper'], category: 'system', reason: 'opens files' },
  { modules: ['codecs'], names: ['open', 'EncodedFile'], category: 'system', reason: 'opens files' },
  { modules: ['gzip', 'bz2', 'lzma'], names: ['open', 'GzipFile', 'BZ2File', 'LZMAFile'], category: 'system', reason: 'opens files' },
  { modules: ['logging'], names: ['FileHandler', 'handlers', 'config', 'basicConfig'], category: 'system', reason: 'writes files or reconfigures logging' },
  { modules: ['pathlib'], names: ['Path.*', 'PosixPath.*', 'WindowsPath.*'], category: 'system', reason: 'reads, writes or deletes files through path methods' },
  { modules: ['numpy'], names: ['fromfile', 'loadtxt', 'genfromtxt', 'memmap', 'DataSource', 'save', 'savez', 'savez_compressed', 'savetxt', 'tofile', 'fromregex'], category: 'system', reason: 'reads or writes files' },
  { modules: ['pandas'], names: ['read_csv', 'read_json', 'read_html', 'read_excel', 'read_parquet', 'read_sql', 'read_sql_query', 'read_sql_table', 'read_table', 'read_feather', 'read_hdf', 'read_fwf', 'read_xml', 'read_stata', 'read_sas', 'read_spss', 'read_orc', 'read_clipboard'], category: 'system', reason: 'reads files or URLs' },
  { modules: ['sklearn.datasets'], submodules: true, category: 'system', reason: 'downloads or reads datasets' },
  { modules: ['torch.distributed'], submodules: true, category: 'system', reason: 'opens network connections to other processes' },
];

const DENY_INDEX: ReadonlyMap<string, readonly DenyEntry[]> = (() => {
  const m = new Map<string, DenyEntry[]>();
  for (const e of DENY) for (const mod of e.modules) {
    const list = m.get(mod) ?? [];
    list.push(e);
    m.set(mod, list);
  }
  return m;
})();

const CATEGORY_RULE: Readonly<Record<DenyCategory, string>> = {
  exec: 'scan.pickle.code-execution',
  loader: 'scan.pickle.loader',
  gadget: 'scan.pickle.call-gadget',
  system: 'scan.pickle.system-access',
  dunder: 'scan.pickle.dunder-name',
};

export function ruleForCategory(c: DenyCategory): string {
  return CATEGORY_RULE[c];
}

function nameMatches(entry: DenyEntry, parts: readonly string[]): boolean {
  if (!entry.names) return true;
  const first = parts[0] ?? '';
  for (const n of entry.names) {
    if (n === '.*') {
      if (parts.length > 1) return true;
    } else if (n.endsWith('.*')) {
      if (parts.length > 1 && n.slice(0, -2) === first) return true;
    } else if (n === first) {
      return true;
    }
  }
  return false;
}

function denyLookup(module: string, parts: readonly string[]): DenyEntry | null {
  // The module itself, then its parent packages (for entries that cover submodules).
  const segs = module.split('.');
  for (let i = segs.length; i >= 1; i--) {
    const mod = segs.slice(0, i).join('.');
    const entries = DENY_INDEX.get(mod);
    if (!entries) continue;
    for (const e of entries) {
      if (i < segs.length && !e.submodules) continue;
      // A submodule reached as `pkg` + qualname `sub.attr` (e.g. `os` + `path.join`) matches too.
      if (nameMatches(e, i < segs.length ? [segs[i]!, ...parts] : parts)) return e;
    }
  }
  return null;
}

/**
 * Every (module, qualname) that a dotted global can stand for: the name as written, then routes
 * through attributes that are modules (`posixpath` + `os.system` is `os.system`).
 */
function candidates(module: string, name: string): Array<[string, string[]]> {
  const parts = name.split('.');
  const out: Array<[string, string[]]> = [[module, parts]];
  for (let i = 0; i + 1 < parts.length; i++) out.push([parts[i]!, parts.slice(i + 1)]);
  return out;
}

function isClassLike(name: string): boolean {
  const c = name.charCodeAt(0);
  return c >= 65 && c <= 90 && !name.includes('.');
}

function dotted(name: string): boolean {
  return name.includes('.');
}

// `__torch__` is TorchScript's namespace for classes compiled from the archive's own `code/`
// sources (scanned separately); a plain unpickler cannot even import it.
const DUNDER_EXEMPT_MODULES: ReadonlySet<string> = new Set(['__builtin__', '__main__', '__mp_main__', '__torch__']);

/** A TorchScript class reference: `__torch__.<module path>` and a class-shaped name. */
function isTorchScriptClass(module: string, name: string): boolean {
  return (module === '__torch__' || module.startsWith('__torch__.')) && /^[A-Za-z_]\w*$/.test(name) && !isDunder(name);
}

function dunderPart(module: string, name: string): string | null {
  for (const p of module.split('.')) if (isDunder(p) && !DUNDER_EXEMPT_MODULES.has(p)) return p;
  for (const p of name.split('.')) if (isDunder(p)) return p;
  return null;
}

function classifyUncached(module: string, name: string): Classification {
  const canonical = canonicalName(module, name);
  return { ...decide(module, name), canonical, special: specialFlags(canonical) };
}

function decide(module: string, name: string): Omit<Classification, 'canonical' | 'special'> {
  const [m3, n3] = python3Name(module, name);
  const mapped = m3 !== module || n3 !== name ? `${m3}.${n3}` : null;
  if (ALLOWED.has(`${m3}\n${n3}`)) return { tier: 'allowed', category: null, ruleId: null, reason: 'on the allowlist of callables real PyTorch, NumPy, joblib and scikit-learn files contain', matched: mapped };
  if (isTorchScriptClass(module, name)) return { tier: 'allowed', category: null, ruleId: null, reason: 'a TorchScript class compiled from the archive\u2019s code/ sources, which are scanned as source', matched: mapped };

  // A dunder attribute on a dotted path (`object.__subclasses__`, `f.__globals__`) is the story,
  // whatever module it starts from.
  const pathDunder = dotted(name) || dotted(n3) ? dunderPart(module, name) ?? dunderPart(m3, n3) : null;
  if (pathDunder) {
    return { tier: 'denied', category: 'dunder', ruleId: CATEGORY_RULE.dunder, reason: `reaches the dunder attribute \`${pathDunder}\`, a route into interpreter internals`, matched: mapped };
  }
  for (const [m, n] of [[module, name], [m3, n3]] as const) {
    for (const [cm, cparts] of candidates(m, n)) {
      const hit = denyLookup(cm, cparts);
      if (hit) {
        const via = `${cm}.${cparts.join('.')}`;
        return {
          tier: 'denied', category: hit.category, ruleId: CATEGORY_RULE[hit.category], reason: hit.reason,
          matched: via !== `${module}.${name}` ? via : mapped,
        };
      }
    }
  }
  const dunder = dunderPart(module, name) ?? dunderPart(m3, n3);
  if (dunder) {
    return { tier: 'denied', category: 'dunder', ruleId: CATEGORY_RULE.dunder, reason: `reaches the dunder attribute \`${dunder}\`, a route into interpreter internals`, matched: mapped };
  }
  for (const c of COMMON) {
    if (m3.startsWith(c.prefix) && (isClassLike(n3) || c.functions?.includes(n3))) {
      return { tier: 'common', category: null, ruleId: 'scan.pickle.common-callable', reason: `${c.library}: unknown-but-common by policy`, matched: mapped };
    }
  }
  return {
    tier: 'unknown', category: null, ruleId: 'scan.pickle.unknown-callable',
    reason: 'not among the callables PyTorch, NumPy, joblib and scikit-learn files contain; what it does with the arguments was not analysed',
    matched: mapped,
  };
}

const cache = new Map<string, Classification>();
const CACHE_LIMIT = 50_000;

/** Classifies the global `module.name` (the name may be a dotted path of attributes). */
export function classifyGlobal(module: string, name: string): Classification {
  const key = `${module}\n${name}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const c = classifyUncached(module, name);
  if (cache.size < CACHE_LIMIT) cache.set(key, c);
  return c;
}

/** A global that could not be named (operands not strings, evicted memo, extension codes). */
export function unresolvedClassification(reason: string): Classification {
  return { tier: 'unknown', category: null, ruleId: 'scan.pickle.unresolved-call', reason, matched: null, canonical: '', special: 0 };
}

/** An EXT opcode: the copyreg extension registry maps the code to a global at load time. */
export function extensionClassification(code: number): Classification {
  return {
    tier: 'unknown', category: null, ruleId: 'scan.pickle.unknown-callable',
    reason: `extension code ${code} names a global through copyreg's extension registry, which is empty in a standard Python (loading fails unless a library registered the code, and then it can be anything)`,
    matched: null, canonical: '', special: 0,
  };
}

// ---------------------------------------------------------------------------------------------
// Calls with special meaning.

/** Allowlisted helpers that call (now or later) the callable they receive as an argument. */
export const CALLS_ARGUMENT: ReadonlyMap<string, readonly number[]> = new Map([
  ['copyreg._reconstructor', [0, 1]],
  ['copyreg.__newobj__', [0]],
  ['copyreg.__newobj_ex__', [0]],
  ['torch._utils._rebuild_from_type_v2', [0, 1]],
  ['torch._tensor._rebuild_from_type_v2', [0, 1]],
  ['torch._utils._rebuild_from_type', [0, 1]],
  ['torch._tensor._rebuild_from_type', [0, 1]],
  ['torch._utils._rebuild_wrapper_subclass', [0]],
  ['numpy.core.multiarray._reconstruct', [0]],
  ['numpy._core.multiarray._reconstruct', [0]],
  ['collections.defaultdict', [0]],
  ['array._array_reconstructor', [0]],
]);

/** Loaders that, given bytes stored in the same file, run those bytes: scanned as nested units. */
export const BYTE_LOADERS: ReadonlyMap<string, { benign: boolean }> = new Map([
  ['torch.storage._load_from_bytes', { benign: true }],
  ['pickle.loads', { benign: false }],
  ['_pickle.loads', { benign: false }],
  ['pickle._loads', { benign: false }],
  ['dill.loads', { benign: false }],
  ['dill._dill.loads', { benign: false }],
  ['cloudpickle.loads', { benign: false }],
]);

/** Calls whose result is another object that the machine can name. */
export type Resolver = 'getattr' | 'import' | 'resolve-name' | 'attrgetter' | 'ufunc';
export const RESOLVERS: ReadonlyMap<string, Resolver> = new Map([
  ['builtins.getattr', 'getattr'],
  ['builtins.__import__', 'import'],
  ['importlib.import_module', 'import'],
  ['importlib.__import__', 'import'],
  ['pkgutil.resolve_name', 'resolve-name'],
  ['pydoc.locate', 'resolve-name'],
  ['operator.attrgetter', 'attrgetter'],
  ['_operator.attrgetter', 'attrgetter'],
  ['numpy.core._ufunc_reconstruct', 'ufunc'],
  ['numpy._core._ufunc_reconstruct', 'ufunc'],
]);

/** Canonical dotted name used as key in the special-call tables (Python 2 names mapped). */
export function canonicalName(module: string, name: string): string {
  const [m, n] = python3Name(module, name);
  return `${m}.${n}`;
}

const CODECS_ENCODE: ReadonlySet<string> = new Set(['_codecs.encode', 'codecs.encode']);

function specialFlags(canonical: string): number {
  return (BYTE_LOADERS.has(canonical) ? SPECIAL_BYTE_LOADER : 0)
    | (CALLS_ARGUMENT.has(canonical) ? SPECIAL_CALLS_ARGUMENT : 0)
    | (RESOLVERS.has(canonical) ? SPECIAL_RESOLVER : 0)
    | (CODECS_ENCODE.has(canonical) ? SPECIAL_CODECS_ENCODE : 0)
    | (canonical === 'numpy.dtype' ? SPECIAL_KEEP_RESULT : 0);
}
