// The hook through which a format built on an archive (PyTorch zip, TorchScript, legacy PyTorch
// tar) adds its own checks to the generic container analyzer: it may claim members it reads
// itself (tensor storages), look at members after the generic scan (sources, pickles), and
// check the whole layout at the end.
import type { ByteSource } from '../../io/byte-source.ts';
import type { ScanContext } from '../types.ts';
import type { IssueSink } from './issues.ts';
import type { TarEntry } from './tar-layout.ts';
import type { ZipEntry } from './zip-layout.ts';

export interface ProfileSession<E> {
  /** True when the profile reads this member itself instead of the generic nested scan. */
  claims(entry: E): boolean;
  /** Reads a claimed member. */
  handle(entry: E, source: ByteSource): Promise<void>;
  /** Sees a member after the generic nested scan handled it. */
  inspect(entry: E, source: ByteSource): Promise<void>;
  /** Whole-archive checks once every member was seen. */
  finish(): Promise<void>;
}

export interface ZipView {
  /** Members listed by the central directory (or by local headers when there is none), in order. */
  readonly entries: readonly ZipEntry[];
  /** The content of a member, or null when it cannot be decoded (method, encryption, bounds). */
  open(entry: ZipEntry): Promise<ByteSource | null>;
}

export type ZipProfile = (view: ZipView, ctx: ScanContext, sink: IssueSink) => Promise<ProfileSession<ZipEntry>>;
export type TarProfile = (ctx: ScanContext, sink: IssueSink) => ProfileSession<TarEntry>;
