// Every gadget class of the threats document, each next to a benign neighbour that differs only in
// the detail the detector keys on. Verdicts, rule ids, resolved names in messages and locations.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ScanReport } from '../../../main/core/scan/engine.ts';
import { dump, findingsOf, fixture, manifest, rules, scanFixture } from './fixtures.ts';

function at(r: ScanReport, ruleId: string): { byteOffset: number; opcodeIndex: number; message: string } {
  const f = findingsOf(r, ruleId)[0];
  assert.ok(f, `no ${ruleId} finding:\n${dump(r)}`);
  assert.equal(typeof f.location.byteOffset, 'number');
  assert.equal(typeof f.location.opcodeIndex, 'number');
  return { byteOffset: f.location.byteOffset!, opcodeIndex: f.location.opcodeIndex!, message: f.message };
}

test('every denylisted callable of the threats document is caught, named, and located at its REDUCE', async () => {
  const entries = Object.entries(manifest()).filter(([, m]) => m.deny);
  assert.ok(entries.length >= 100, `deny fixtures: ${entries.length}`);
  const protocols = new Set<number>();
  for (const [name, m] of entries) {
    const r = await scanFixture(name);
    assert.equal(r.verdict, 'malicious', `${name}\n${dump(r)}`);
    // Protocols below 3 write Python 2 names (`__builtin__.eval`); the finding names both.
    const f = findingsOf(r, m.rule!).find((x) => x.evidence?.callable === m.callable || x.evidence?.resolvedAs === m.callable);
    assert.ok(f, `${name}: expected ${m.rule} for ${m.callable}\n${dump(r)}`);
    assert.match(f.message, new RegExp(m.callable!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), name);
    assert.match(f.message, /^Loading calls/, `${name} is reported as called: ${f.message}`);
    assert.ok(f.severity === 'critical' || f.severity === 'high', `${name}: ${f.severity}`);
    // The location is the REDUCE opcode that makes the call.
    assert.equal(fixture(name)[f.location.byteOffset!], 0x52, `${name}: byte ${f.location.byteOffset} is REDUCE`);
    protocols.add(m.protocol!);
  }
  assert.deepEqual([...protocols].sort(), [0, 1, 2, 3, 4, 5]);
  // Benign neighbours: the same payload shape with an allowlisted callable, in every protocol.
  for (let p = 0; p <= 5; p++) {
    const r = await scanFixture(`b_neighbour_p${p}.pkl`);
    assert.equal(r.verdict, 'clean', dump(r));
    assert.deepEqual(r.findings, []);
    const detail = r.units[0]!.details.pickle as { calls: Array<{ callable: string; tier: string }> };
    assert.ok(detail.calls.some((c) => /OrderedDict$/.test(c.callable) && c.tier === 'allowed'), `p${p}: the call is resolved and allowed`);
  }
});

test('code execution: os.system in every protocol is malicious; the same shape with an allowlisted callable is clean', async () => {
  for (let p = 0; p <= 5; p++) {
    const r = await scanFixture(`m_os_system_p${p}.pkl`);
    assert.equal(r.verdict, 'malicious', dump(r));
    const f = at(r, 'scan.pickle.code-execution');
    assert.match(f.message, /posix\.system\('echo pwned'\)/);
    assert.equal(fixture(`m_os_system_p${p}.pkl`)[f.byteOffset], 0x52);
  }
  const neighbour = await scanFixture('b_builtins_p2.pkl'); // collections.OrderedDict(...) REDUCE calls
  assert.equal(neighbour.verdict, 'clean');
});

test('memo tricks resolve to what they fetch: DUP before MEMOIZE, PUT/GET, memoized STACK_GLOBAL operands', async () => {
  const cases: Array<[string, RegExp]> = [
    ['m_memo_strings.pkl', /`os\.system\('id'\)`/],
    ['m_memo_dup.pkl', /`posix\.system\('id'\)`/],
    ['m_memo_put_get.pkl', /`os\.system\('id'\)`/],
    ['m_memo_long.pkl', /`subprocess\.getoutput\('id'\)`/],
    ['m_memo_text.pkl', /`os\.system\('id'\)`/],
  ];
  for (const [name, expected] of cases) {
    const r = await scanFixture(name);
    assert.equal(r.verdict, 'malicious', `${name}\n${dump(r)}`);
    const f = at(r, 'scan.pickle.code-execution');
    assert.match(f.message, expected, name);
    assert.match(f.message, /^Loading calls/);
  }
});

test('calls on the results of calls resolve through getattr, __import__, import_module and attrgetter', async () => {
  const cases: Array<[string, string]> = [
    ['m_import_getattr.pkl', 'os.system'],
    ['m_importlib_getattr.pkl', 'posix.system'],
    ['m_attrgetter_chain.pkl', 'os.system'],
  ];
  for (const [name, callable] of cases) {
    const r = await scanFixture(name);
    assert.equal(r.verdict, 'malicious', `${name}\n${dump(r)}`);
    const exec = findingsOf(r, 'scan.pickle.code-execution').find((f) => f.evidence?.callable === callable);
    assert.ok(exec, `${name}: ${callable} resolved\n${dump(r)}`);
    assert.equal(exec.evidence?.calls, 1, `${name}: the resolved callable is called once`);
    assert.match(exec.message, /reached through/);
    assert.ok(rules(r).includes('scan.pickle.loader') || rules(r).includes('scan.pickle.call-gadget'));
  }
  // Neighbour: a call on a computed value that cannot be resolved is not hidden, but not called malicious either.
  const unresolved = await scanFixture('s_call_on_result.pkl');
  assert.equal(unresolved.verdict, 'suspicious', dump(unresolved));
  assert.match(at(unresolved, 'scan.pickle.unresolved-call').message, /mylib\.factory\.make\(\)/);
  const pers = await scanFixture('s_call_persistent.pkl');
  assert.equal(pers.verdict, 'suspicious');
  assert.match(at(pers, 'scan.pickle.unresolved-call').message, /persistent_load/);
});

test('dotted names: posixpath + os.system and a torch module + os.system resolve to os.system', async () => {
  for (const name of ['m_posixpath_os_system.pkl', 'm_torch_serialization_os.pkl']) {
    const r = await scanFixture(name);
    assert.equal(r.verdict, 'malicious');
    const f = findingsOf(r, 'scan.pickle.code-execution')[0]!;
    assert.equal(f.evidence?.resolvedAs, 'os.system', dump(r));
    assert.match(f.message, /resolves to `os\.system`/);
  }
});

test('dunder names anywhere: dotted paths, getattr strings, BUILD keys, keyword arguments', async () => {
  const cases: Array<[string, RegExp]> = [
    ['m_dunder_subclasses.pkl', /__subclasses__/],
    ['m_dunder_reduce.pkl', /__reduce__/],
    ['m_getattr_dunder.pkl', /__globals__|__init__/],
    ['m_dunder_state.pkl', /BUILD sets the dunder attribute `__class__`/],
    ['m_dunder_kwargs.pkl', /dunder keyword argument `__builtins__`/],
  ];
  for (const [name, expected] of cases) {
    const r = await scanFixture(name);
    assert.equal(r.verdict, 'malicious', `${name}\n${dump(r)}`);
    const msgs = findingsOf(r, 'scan.pickle.dunder-name').map((f) => f.message).join('\n');
    assert.match(msgs, expected, `${name}\n${dump(r)}`);
  }
  // Neighbours: state keys that are not dunders (torch `_metadata`), the allowlisted copyreg helper, `__main__` classes.
  const torch = await scanFixture('b_torch_datapkl_p2.pkl');
  assert.deepEqual(findingsOf(torch, 'scan.pickle.dunder-name'), []);
  const mainClass = await scanFixture('s_main_class.pkl');
  assert.deepEqual(rules(mainClass), ['scan.pickle.unknown-callable'], dump(mainClass));
  assert.match(mainClass.findings[0]!.message, /__main__\.Model/);
});

test('allowlist gadgets: BUILD or SETITEM on an imported global is caught; BUILD on an instance is not', async () => {
  const numpy = await scanFixture('m_build_numpy_builtins.pkl');
  assert.equal(numpy.verdict, 'malicious');
  assert.match(at(numpy, 'scan.pickle.global-mutation').message, /numpy\.core\.multiarray\._reconstruct/);
  assert.match(at(numpy, 'scan.pickle.dunder-name').message, /__builtins__/);
  const build = await scanFixture('m_build_global_state.pkl');
  assert.equal(build.verdict, 'malicious');
  assert.match(at(build, 'scan.pickle.global-mutation').message, /BUILD overwrites the state of `collections\.OrderedDict` itself \(keys 'fromkeys'\)/);
  assert.equal(fixture('m_build_global_state.pkl')[at(build, 'scan.pickle.global-mutation').byteOffset], 0x62, 'located at BUILD');
  const setitem = await scanFixture('m_setitem_global.pkl');
  assert.equal(setitem.verdict, 'malicious');
  assert.match(at(setitem, 'scan.pickle.global-mutation').message, /SETITEM changes `collections\.OrderedDict`/);
  // Neighbour: torch state dicts BUILD `_metadata` onto an OrderedDict instance.
  const torch = await scanFixture('b_torch_datapkl_p4.pkl');
  assert.deepEqual(torch.findings, []);
});

test('collections.defaultdict is allowlisted, but a dangerous factory it would call is not', async () => {
  const r = await scanFixture('m_defaultdict_factory.pkl');
  assert.equal(r.verdict, 'malicious');
  const f = findingsOf(r, 'scan.pickle.code-execution')[0]!;
  assert.equal(f.evidence?.callable, 'posix.system');
  assert.match(f.message, /collections\.defaultdict\(posix\.system, …\)/);
  const benign = await scanFixture('b_builtins_p4.pkl'); // defaultdict(list)
  assert.equal(benign.verdict, 'clean');
});

test('INST, OBJ, NEWOBJ_EX, Python 2 names and EXT codes', async () => {
  for (const name of ['m_inst_p0.pkl', 'm_obj_p1.pkl']) {
    const r = await scanFixture(name);
    assert.equal(r.verdict, 'malicious');
    assert.match(at(r, 'scan.pickle.code-execution').message, /`os\.system\('id'\)` \((INST|OBJ)\)/);
  }
  const ex = await scanFixture('m_newobj_ex.pkl');
  assert.match(at(ex, 'scan.pickle.code-execution').message, /`subprocess\.Popen\(\['id'\], \*\*\{'shell': True\}\)` \(NEWOBJ_EX\)/);
  const eval2 = await scanFixture('m_py2_builtin_eval.pkl');
  assert.equal(findingsOf(eval2, 'scan.pickle.code-execution')[0]!.evidence?.resolvedAs, 'builtins.eval');
  const commands = await scanFixture('m_py2_commands.pkl');
  assert.equal(commands.verdict, 'malicious');
  assert.equal(findingsOf(commands, 'scan.pickle.code-execution')[0]!.evidence?.resolvedAs, 'subprocess.getoutput');
  const py2benign = await scanFixture('b_copyreg_p1.pkl'); // copy_reg._reconstructor + __builtin__.object
  assert.equal(py2benign.verdict, 'clean', dump(py2benign));
  const ext = await scanFixture('s_ext.pkl');
  assert.equal(ext.verdict, 'suspicious');
  const exts = findingsOf(ext, 'scan.pickle.unknown-callable').map((f) => f.message).join('\n');
  for (const code of [1, 258, 65536]) assert.match(exts, new RegExp(`extension code ${code}`));
});

test('unknown callables are medium findings for review; scikit-learn classes are info', async () => {
  const r = await scanFixture('s_unknown_class.pkl');
  assert.equal(r.verdict, 'suspicious');
  const f = at(r, 'scan.pickle.unknown-callable');
  assert.match(f.message, /`mylib\.models\.Net\(\)` \(NEWOBJ\)/);
  assert.equal(findingsOf(r, 'scan.pickle.unknown-callable')[0]!.severity, 'medium');
  const sk = await scanFixture('b_sklearn_p2.pkl');
  assert.ok(sk.findings.every((x) => x.ruleId === 'scan.pickle.common-callable' && x.severity === 'info'));
});

test('loaders: embedded bytes are scanned and decide the verdict; other arguments stay critical', async () => {
  const evil = await scanFixture('m_pickle_loads_embedded.pkl');
  assert.equal(evil.verdict, 'malicious');
  const nestedExec = findingsOf(evil, 'scan.pickle.code-execution')[0]!;
  assert.ok(nestedExec.location.members?.[0]?.startsWith('bytes@'), 'the call is found in the nested unit');
  assert.equal(findingsOf(evil, 'scan.pickle.embedded-loader')[0]!.severity, 'low');
  const ok = await scanFixture('b_pickle_loads_embedded.pkl');
  assert.equal(ok.verdict, 'clean', dump(ok));
  const torchEvil = await scanFixture('m_load_from_bytes_evil.pkl');
  assert.equal(torchEvil.verdict, 'malicious');
  assert.ok(torchEvil.units.some((u) => u.format === 'pytorch-legacy'));
  const p0 = await scanFixture('m_load_from_bytes_p0.pkl');
  assert.equal(p0.verdict, 'malicious', dump(p0));
  assert.match(findingsOf(p0, 'scan.pickle.code-execution')[0]!.message, /in the bytes passed to `torch\.storage\._load_from_bytes`/);
  const path = await scanFixture('m_deny_torch_load_from_bytes_path.pkl');
  assert.equal(findingsOf(path, 'scan.pickle.loader')[0]!.severity, 'critical');
  assert.deepEqual(findingsOf(path, 'scan.pickle.embedded-loader'), []);
});

test('a pickle held in a byte string is scanned as a nested unit', async () => {
  const r = await scanFixture('m_nested_bytes.pkl');
  assert.equal(r.verdict, 'malicious');
  assert.match(at(r, 'scan.pickle.embedded-pickle').message, /holds a pickle; it was scanned as bytes@\d+/);
  const exec = findingsOf(r, 'scan.pickle.code-execution')[0]!;
  assert.match(exec.location.members?.[0] ?? '', /^bytes@\d+$/);
});
