// The behavioural fingerprint: a SHA-256 of quantised outputs on a canonical probe set (fixed
// seed, fixed row count, default distributions). The same model gives the same digest; changed
// weights or graph give another. Quantisation is to 1/1024 of each output's power-of-two range,
// and the codes are kept so two fingerprints that differ only by rounding at a step boundary
// (another CPU, another thread count) can still be recognised as equivalent.
import { createHash } from 'node:crypto';
import type { ProbeSpec, ResolvedProbeSet } from './probe-spec.ts';
import type { OutputTable } from './types.ts';

export const FINGERPRINT_SCHEME = 'assay-behaviour-fingerprint/1';
export const FINGERPRINT_SEED = 0x5eedf1;
export const FINGERPRINT_ROWS = 32;
/** Codes kept per output for the tolerant comparison (the digest covers all of them). */
const MAX_CODES = 65_536;
const STEPS = 10;

export interface FingerprintOutput {
  name: string;
  rowShape: number[];
  /** Values were quantised in steps of 2^(scaleExponent - 10). */
  scaleExponent: number;
  /** Int16 little-endian codes, base64; at most 65 536 of them. */
  codes: string;
  truncated: boolean;
}

export interface Fingerprint {
  scheme: string;
  /** Hex SHA-256 over the scheme, the probe inputs and every output's codes. */
  digest: string;
  seed: number;
  rows: number;
  inputs: { name: string; dtype: string; rowShape: number[] }[];
  outputs: FingerprintOutput[];
}

/** The probe specification fingerprints are computed on: defaults, fixed seed and size. */
export function canonicalProbeSpec(): ProbeSpec {
  return { seed: FINGERPRINT_SEED, rows: FINGERPRINT_ROWS };
}

const NAN_CODE = -32768;

function quantise(values: Float64Array): { exponent: number; codes: Int16Array } {
  let maxAbs = 0;
  for (const v of values) if (Number.isFinite(v) && Math.abs(v) > maxAbs) maxAbs = Math.abs(v);
  const exponent = maxAbs > 0 ? Math.ceil(Math.log2(maxAbs)) : 0;
  const step = 2 ** (exponent - STEPS);
  const codes = new Int16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    codes[i] = Number.isNaN(v) ? NAN_CODE : v === Infinity ? 32767 : v === -Infinity ? -32767 : Math.round(v / step);
  }
  return { exponent, codes };
}

function toBase64(a: Int16Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

function fromBase64(s: string): Int16Array {
  const b = Buffer.from(s, 'base64');
  const copy = new Uint8Array(b);
  return new Int16Array(copy.buffer, 0, copy.byteLength >> 1);
}

export function fingerprintOutputs(outputs: Record<string, OutputTable>, probe: ResolvedProbeSet): Fingerprint {
  const hash = createHash('sha256');
  hash.update(FINGERPRINT_SCHEME);
  const inputs = probe.inputs.map((x) => ({ name: x.name, dtype: x.dtype, rowShape: x.rowShape }));
  hash.update(JSON.stringify({ seed: probe.seed, rows: probe.rows, inputs }));
  const names = Object.keys(outputs).sort();
  const fpOutputs: FingerprintOutput[] = [];
  for (const name of names) {
    const t = outputs[name]!;
    const { exponent, codes } = quantise(t.values);
    hash.update(JSON.stringify({ name, rowShape: t.rowShape, exponent }));
    hash.update(new Uint8Array(codes.buffer, codes.byteOffset, codes.byteLength));
    const kept = codes.length > MAX_CODES ? codes.subarray(0, MAX_CODES) : codes;
    fpOutputs.push({ name, rowShape: t.rowShape, scaleExponent: exponent, codes: toBase64(kept), truncated: kept.length < codes.length });
  }
  return { scheme: FINGERPRINT_SCHEME, digest: hash.digest('hex'), seed: probe.seed, rows: probe.rows, inputs, outputs: fpOutputs };
}

export interface FingerprintComparison {
  /** identical: same digest; equivalent: every kept value within one quantisation step; different otherwise. */
  verdict: 'identical' | 'equivalent' | 'different';
  /** Share of compared values further apart than one step. */
  differingShare: number;
  detail: string;
}

export function compareFingerprints(a: Fingerprint, b: Fingerprint): FingerprintComparison {
  if (a.digest === b.digest) return { verdict: 'identical', differingShare: 0, detail: 'same digest' };
  if (a.scheme !== b.scheme || a.seed !== b.seed || a.rows !== b.rows || JSON.stringify(a.inputs) !== JSON.stringify(b.inputs)) {
    return { verdict: 'different', differingShare: 1, detail: 'computed on different probe sets or schemes' };
  }
  const bOut = new Map(b.outputs.map((o) => [o.name, o]));
  if (a.outputs.length !== b.outputs.length) return { verdict: 'different', differingShare: 1, detail: 'different outputs' };
  let compared = 0;
  let differing = 0;
  for (const oa of a.outputs) {
    const ob = bOut.get(oa.name);
    if (!ob || JSON.stringify(ob.rowShape) !== JSON.stringify(oa.rowShape)) return { verdict: 'different', differingShare: 1, detail: `output ${oa.name} differs in shape or is missing` };
    const ca = fromBase64(oa.codes);
    const cb = fromBase64(ob.codes);
    const sa = 2 ** (oa.scaleExponent - STEPS);
    const sb = 2 ** (ob.scaleExponent - STEPS);
    const tol = Math.max(sa, sb) * 1.0001;
    const n = Math.min(ca.length, cb.length);
    for (let i = 0; i < n; i++) {
      compared++;
      const va = ca[i]!;
      const vb = cb[i]!;
      if ((va === NAN_CODE) !== (vb === NAN_CODE) || Math.abs(va * sa - vb * sb) > tol) differing++;
    }
  }
  const share = compared > 0 ? differing / compared : 1;
  return share === 0
    ? { verdict: 'equivalent', differingShare: 0, detail: 'digests differ only by rounding: every value within one quantisation step' }
    : { verdict: 'different', differingShare: share, detail: `${(share * 100).toFixed(1)}% of quantised outputs differ by more than one step` };
}
