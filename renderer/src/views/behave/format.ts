// Number formatting shared by the behaviour views (null means unknown or not finite).
export function pct(x: number | null | undefined, digits = 0): string {
  return x === null || x === undefined ? '—' : `${(x * 100).toFixed(digits)}%`;
}

export function num(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined) return '∞';
  return Math.abs(x) >= 1e5 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(2) : String(Number(x.toPrecision(digits)));
}

export function shapeText(shape: (number | string | null)[] | null): string {
  return shape ? `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]` : 'unknown';
}

export function gib(bytes: number | null): string {
  return bytes === null ? 'none' : `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

export function seconds(ms: number | null): string {
  return ms === null ? '—' : ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** A colour from white (0) to deep red (1) for heat maps; readable text colour with it. */
export function heat(v: number | null): { fill: string; ink: string } {
  if (v === null) return { fill: '#d9dde3', ink: '#1b1f24' };
  const t = Math.max(0, Math.min(1, v));
  const r = Math.round(255 - t * (255 - 140));
  const g = Math.round(255 - t * 255);
  const b = Math.round(255 - t * 235);
  return { fill: `rgb(${r}, ${g}, ${b})`, ink: t > 0.55 ? '#ffffff' : '#1b1f24' };
}
