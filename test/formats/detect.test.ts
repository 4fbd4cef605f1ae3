import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkExtension } from '../../main/core/formats/catalogue.ts';
import { detectFormat } from '../../main/core/formats/detect.ts';
import { mlpClassifier } from '../../main/core/formats/onnx/build.ts';
import { BufferSource } from '../../main/core/io/byte-source.ts';

const b = (...parts: (string | number[] | Uint8Array)[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

function safetensors(): Buffer {
  const header = Buffer.from(JSON.stringify({ w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));
  return Buffer.concat([len, header, Buffer.alloc(4)]);
}

const CASES: [string, Buffer | Uint8Array, string][] = [
  ['pickle protocol 4', b([0x80, 0x04, 0x4b, 0x01, 0x2e]), 'pickle'],
  ['pickle protocol 0 (no header)', b('(lp0\nI1\na.'), 'pickle'],
  ['legacy torch.save', b([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e]), 'pytorch-legacy'],
  ['numpy', b([0x93], 'NUMPY', [1, 0]), 'numpy-npy'],
  ['safetensors', safetensors(), 'safetensors'],
  ['gguf', b('GGUF', [3, 0, 0, 0]), 'gguf'],
  ['hdf5', b([0x89], 'HDF\r\n', [0x1a, 0x0a], [0, 0, 0, 0]), 'hdf5'],
  ['onnx', mlpClassifier([4, 3, 2]), 'onnx'],
  ['gzip', b([0x1f, 0x8b, 8, 0]), 'gzip'],
  ['elf', b([0x7f], 'ELF', [2, 1, 1]), 'elf'],
  ['pdf', b('%PDF-1.7\n'), 'pdf'],
  ['png', b([0x89], 'PNG\r\n', [0x1a, 0x0a]), 'png'],
  ['csv', b('a,b,c\n1,2,3\n4,5,6\n'), 'csv'],
  ['tsv', b('a\tb\n1\t2\n3\t4\n'), 'tsv'],
  ['jsonl', b('{"a":1}\n{"a":2}\n'), 'jsonl'],
  ['json', b('{"model_type":"bert"}'), 'json'],
  ['script', b('#!/bin/sh\necho hi\n'), 'script'],
  ['empty', b(''), 'empty'],
  ['random bytes', Buffer.from(Array.from({ length: 256 }, (_, i) => (i * 151 + 7) & 0xff)), 'unknown'],
];

for (const [label, bytes, expected] of CASES) {
  test(`content detection: ${label} → ${expected}`, async () => {
    assert.equal((await detectFormat(new BufferSource(bytes))).format, expected);
  });
}

test('the extension is only a claim compared with the content', () => {
  assert.deepEqual(checkExtension('model.safetensors', 'pickle'), { claim: 'safetensors', mismatch: true });
  assert.deepEqual(checkExtension('model.pt', 'pytorch-zip'), { claim: 'pytorch-zip', mismatch: false });
  assert.deepEqual(checkExtension('weights.bin', 'pickle'), { claim: null, mismatch: false });
  assert.deepEqual(checkExtension('README', 'text'), { claim: null, mismatch: false });
});
