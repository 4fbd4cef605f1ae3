import { useState } from 'react';
import { SEVERITIES, atLeast, type Severity } from '../../../../shared/findings.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { FindingsList } from '../../components/FindingsList.tsx';
import { api } from '../../lib/api.ts';
import { changedFor, useLoad } from '../../lib/hooks.ts';

export function FindingsTab({ caseId }: { caseId: string }) {
  const [minimum, setMinimum] = useState<Severity>('low');
  const [openOnly, setOpenOnly] = useState(false);
  const findings = useLoad(() => api.call('findings.list', { caseId }), [caseId], changedFor(caseId));
  const shown = (findings.data ?? []).filter((f) => atLeast(f.severity, minimum) && (!openOnly || f.status === 'open'));
  return (
    <div>
      <div className="toolbar">
        <label className="inline">Minimum severity
          <select value={minimum} onChange={(e) => setMinimum(e.target.value as Severity)}>
            {SEVERITIES.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
        <label className="inline"><input type="checkbox" checked={openOnly} onChange={(e) => setOpenOnly(e.target.checked)} /> open only</label>
        <span className="muted">{shown.length} of {findings.data?.length ?? 0}</span>
      </div>
      <ErrorText error={findings.error} />
      {findings.data && <FindingsList findings={shown} onChanged={findings.reload} />}
    </div>
  );
}
