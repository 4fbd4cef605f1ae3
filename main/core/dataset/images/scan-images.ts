// Image-folder datasets: one subfolder per class. Every file is hashed; images are decoded
// under strict limits (decode.ts) into two small thumbnails that feed the indicators: exact and
// perceptual duplicates across classes, and fixed patches shared by part of one class.
import { createHash } from 'node:crypto';
import { lstat, open, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Finding } from '../../../../shared/findings.ts';
import { imbalanceFinding, labelCharts } from '../charts.ts';
import { makeFinding } from '../findings.ts';
import { ColumnProfiler } from '../profile/column-profile.ts';
import { DisjointSets } from '../poison/stats.ts';
import type { ColumnSchema, DatasetFile, DatasetLimits, DatasetReport, IndicatorCoverage, ScanDatasetOptions } from '../types.ts';
import { decodeImage, IMAGE_FORMATS, ImageRejected, sniffImage } from './decode.ts';
import { boundingBox, MAX_PATCH_CLASSES, PatchStats, patchMatch } from './patch-stats.ts';
import { hammingDistance, perceptualHash } from './phash.ts';

const MAX_DEPTH = 4;
/** Perceptual hashes this close (of 64 bits) are the same picture. */
export const PHASH_DISTANCE = 6;
const PATCH_MATCH = 0.8;
const MIN_PATCH_IMAGES = 3;

interface Entry {
  path: string;
  rel: string;
  label: string | null;
  size: number;
}

async function walk(root: string, limits: DatasetLimits): Promise<{ entries: Entry[]; links: string[]; truncated: boolean }> {
  const entries: Entry[] = [];
  const links: string[] = [];
  let truncated = false;
  const visit = async (dir: string, rel: string, label: string | null, depth: number): Promise<void> => {
    const names = (await readdir(dir)).sort();
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const path = join(dir, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = await lstat(path);
      if (st.isSymbolicLink()) { links.push(r); continue; }
      if (st.isDirectory()) {
        if (depth < MAX_DEPTH) await visit(path, r, label ?? name, depth + 1);
        continue;
      }
      if (!st.isFile()) continue;
      if (entries.length >= limits.maxImages) { truncated = true; return; }
      entries.push({ path, rel: r, label, size: st.size });
    }
  };
  await visit(root, '', null, 0);
  return { entries, links, truncated };
}

async function readCapped(path: string, max: number): Promise<{ bytes: Uint8Array | null; size: number; sha256: string }> {
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    const hash = createHash('sha256');
    const keep = size <= max;
    const chunks: Buffer[] = [];
    const buf = Buffer.allocUnsafe(1024 * 1024);
    let pos = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      const piece = buf.subarray(0, bytesRead);
      hash.update(piece);
      if (keep) chunks.push(Buffer.from(piece));
      pos += bytesRead;
    }
    return { bytes: keep ? Buffer.concat(chunks) : null, size, sha256: hash.digest('hex') };
  } finally {
    await handle.close();
  }
}

export async function scanImageFolder(root: string, options: ScanDatasetOptions, limits: DatasetLimits): Promise<DatasetReport> {
  const started = Date.now();
  const { entries, links, truncated } = await walk(root, limits);
  const labelIds = new Map<string, number>();
  const labelNames: string[] = [];
  const labelOf = (l: string | null): number => {
    if (l === null) return -1;
    let id = labelIds.get(l);
    if (id === undefined) { id = labelNames.length; labelIds.set(l, id); labelNames.push(l); }
    return id;
  };

  const files: DatasetFile[] = [];
  const labels: number[] = [];
  const hashes: Array<[number, number] | null> = [];
  const undecodable: Array<{ index: number; reason: string; bomb: boolean }> = [];
  const notImages: string[] = [];
  const patch = new PatchStats();
  const totalBytes = entries.reduce((sum, e) => sum + e.size, 0);
  let bytesDone = 0;
  let decoded = 0;

  for (let i = 0; i < entries.length; i++) {
    if (options.signal?.aborted) throw options.signal.reason ?? new Error('cancelled');
    const e = entries[i]!;
    const { bytes, size, sha256 } = await readCapped(e.path, limits.maxImageBytes);
    const index = files.length;
    files.push({ path: e.rel, label: e.label, size, sha256 });
    const label = labelOf(e.label);
    labels.push(label);
    hashes.push(null);
    bytesDone += size;
    options.onProgress?.(bytesDone, totalBytes);
    if (!bytes) {
      undecodable.push({ index, reason: `${size} bytes exceeds the ${limits.maxImageBytes}-byte limit`, bomb: false });
      continue;
    }
    const format = await sniffImage(bytes);
    if (!IMAGE_FORMATS.has(format)) {
      notImages.push(e.rel);
      if (/\.(png|jpe?g|gif|webp|bmp)$/i.test(e.rel)) undecodable.push({ index, reason: `named like an image but the content is ${format}`, bomb: false });
      continue;
    }
    try {
      const img = await decodeImage(bytes, format, limits.maxImagePixels);
      hashes[index] = perceptualHash(img.grey);
      patch.observe(label, img.rgb);
      decoded++;
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      undecodable.push({ index, reason, bomb: err instanceof ImageRejected && err.reason === 'pixel-limit' });
    }
  }

  const findings: Finding[] = [];
  const cap = limits.maxRowsPerFinding;
  const name = (i: number) => files[i]!.path;

  // Exact and perceptual duplicates, grouped; only groups spanning classes are findings.
  const n = files.length;
  const sets = new DisjointSets(n);
  const bySha = new Map<string, number>();
  files.forEach((f, i) => {
    const first = bySha.get(f.sha256);
    if (first === undefined) bySha.set(f.sha256, i);
    else sets.union(first, i);
  });
  const bands: Array<Map<number, number[]>> = [new Map(), new Map(), new Map(), new Map()];
  hashes.forEach((h, i) => {
    if (!h) return;
    const parts = [h[0] >>> 16, h[0] & 0xffff, h[1] >>> 16, h[1] & 0xffff];
    parts.forEach((p, b) => {
      const list = bands[b]!.get(p);
      if (list) list.push(i);
      else bands[b]!.set(p, [i]);
    });
  });
  // Pigeonhole: hashes within 3 bits share a 16-bit band; wider matches are found when they do.
  for (const band of bands) {
    for (const list of band.values()) {
      if (list.length < 2 || list.length > 5000) continue;
      for (let a = 0; a < list.length; a++) {
        for (let b = a + 1; b < list.length; b++) {
          if (hammingDistance(hashes[list[a]!]!, hashes[list[b]!]!) <= PHASH_DISTANCE) sets.union(list[a]!, list[b]!);
        }
      }
    }
  }
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const r = sets.find(i);
    const g = groups.get(r);
    if (g) g.push(i);
    else groups.set(r, [i]);
  }
  const crossClass = [...groups.values()].filter((g) => g.length > 1 && new Set(g.map((i) => labels[i])).size > 1);
  if (crossClass.length > 0) {
    const rows = crossClass.flat().sort((a, b) => a - b);
    findings.push(makeFinding('dataset.image-duplicates-across-classes',
      `${crossClass.length} ${crossClass.length === 1 ? 'image appears' : 'images appear'} in more than one class (${rows.length} files, identical bytes or the same perceptual hash)`,
      { rows: rows.slice(0, cap) },
      {
        groups: crossClass.slice(0, 50).map((g) => ({
          files: g.slice(0, 20).map(name), classes: [...new Set(g.map((i) => files[i]!.label ?? '(none)'))],
          identical: new Set(g.map((i) => files[i]!.sha256)).size === 1,
        })),
        groupCount: crossClass.length,
      }));
  }

  // Patch triggers: candidates from the statistics, confirmed image by image.
  const candidates = patch.candidates(MIN_PATCH_IMAGES).slice(0, 10);
  for (const c of candidates) {
    const carriers: number[] = [];
    for (let i = 0; i < n; i++) {
      if (labels[i] !== c.label || !hashes[i]) continue;
      const { bytes } = await readCapped(entries[i]!.path, limits.maxImageBytes);
      if (!bytes) continue;
      try {
        const img = await decodeImage(bytes, await sniffImage(bytes), limits.maxImagePixels);
        if (patchMatch(img.rgb, c) >= PATCH_MATCH) carriers.push(i);
      } catch {
        // undecodable the second time: already reported
      }
    }
    if (carriers.length < MIN_PATCH_IMAGES) continue;
    const box = boundingBox(c);
    const className = labelNames[c.label] ?? '';
    const classSize = labels.filter((l) => l === c.label).length;
    findings.push(makeFinding('dataset.image-patch-trigger',
      `${carriers.length} of ${classSize} images of class "${className}" share the same pixel values in a ${box.width}×${box.height} patch at (${box.x}, ${box.y}) of a ${box.grid}×${box.grid} grid, which images of other classes lack`,
      { field: 'label', rows: carriers.slice(0, cap) },
      { class: className, images: carriers.length, classSize, box, files: carriers.slice(0, 50).map(name), log10p: c.log10p }));
  }

  if (undecodable.length > 0) {
    const bombs = undecodable.filter((u) => u.bomb).length;
    findings.push(makeFinding('dataset.image-undecodable',
      `${undecodable.length} ${undecodable.length === 1 ? 'file' : 'files'} could not be decoded${bombs > 0 ? `, ${bombs} over the pixel limit (possible decompression bombs)` : ''}`,
      { rows: undecodable.map((u) => u.index).slice(0, cap) },
      { files: undecodable.slice(0, 100).map((u) => ({ file: name(u.index), reason: u.reason })), count: undecodable.length, overPixelLimit: bombs }));
  }
  if (links.length > 0) findings.push(makeFinding('dataset.scan-limit', `${links.length} symbolic links in the folder were not followed`, {}, { links: links.slice(0, 100) }));
  if (truncated) findings.push(makeFinding('dataset.scan-limit', `the folder holds more than ${limits.maxImages} files; the rest were not examined`, {}));
  const unlabelled = labels.filter((l) => l < 0).length;

  const counts: number[] = [];
  for (const l of labels) if (l >= 0) counts[l] = (counts[l] ?? 0) + 1;
  const charts = { ...labelCharts(labelNames, counts, unlabelled), outlierScores: null };
  const imbalance = imbalanceFinding(charts, 'label');
  if (imbalance) findings.push(imbalance);

  const pathProfile = new ColumnProfiler('file', 0);
  const labelProfile = new ColumnProfiler('label', 1);
  files.forEach((f) => { pathProfile.observe(f.path, null); labelProfile.observe(f.label, null); });
  const columns: ColumnSchema[] = [
    { ...pathProfile.finish(), role: 'id', pii: [] },
    { ...labelProfile.finish(), role: 'label', pii: [] },
  ];
  const folderHash = createHash('sha256');
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) folderHash.update(`${f.path}\0${f.sha256}\n`);
  const indicators: IndicatorCoverage[] = [
    { name: 'duplicates across classes', ran: true, examined: n, note: `SHA-256 of every file; perceptual hash (DCT, 64 bits, distance ≤ ${PHASH_DISTANCE}) of ${decoded} decoded images` },
    { name: 'patch triggers', ran: labelNames.length >= 2, examined: decoded, note: `colour statistics on a 32×32 grid per class${labelNames.length > MAX_PATCH_CLASSES ? `; only the first ${MAX_PATCH_CLASSES} classes` : ''}` },
  ];
  if (notImages.length > 0) indicators.push({ name: 'files that are not images', ran: true, examined: notImages.length, note: notImages.slice(0, 20).join(', ') });

  return {
    dataset: {
      name: basename(root),
      format: 'image-folder',
      formatDetail: `folder of ${n} files in ${labelNames.length} class folders, ${decoded} images decoded`,
      rowCount: n,
      size: files.reduce((s, f) => s + f.size, 0),
      sha256: folderHash.digest('hex'),
      columns,
      label: { column: 1, name: 'label', guessed: false, reason: 'the class folder of each image' },
      files,
    },
    pii: [],
    findings,
    charts,
    indicators,
    durationMs: Date.now() - started,
  };
}
