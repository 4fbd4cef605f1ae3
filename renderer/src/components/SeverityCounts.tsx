import type { SeverityCounts as Counts } from '../../../shared/api/schemas.ts';
import { SEVERITIES, type Severity } from '../../../shared/findings.ts';

export function SeverityBadge({ severity }: { severity: Severity }) {
  return <span className={`sev sev-${severity}`}>{severity}</span>;
}

/** Non-zero counts, most severe first; "none" when there are none. */
export function SeverityCounts({ counts }: { counts: Counts }) {
  const shown = [...SEVERITIES].reverse().filter((s) => counts[s] > 0);
  if (shown.length === 0) return <span className="muted">none</span>;
  return (
    <span className="sev-counts">
      {shown.map((s) => <span key={s} className={`sev sev-${s}`} title={`${counts[s]} ${s}`}>{counts[s]} {s}</span>)}
    </span>
  );
}
