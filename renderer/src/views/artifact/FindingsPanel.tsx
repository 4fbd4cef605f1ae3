import type { Artifact } from '../../../../shared/api/schemas.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { FindingsList } from '../../components/FindingsList.tsx';
import { api } from '../../lib/api.ts';
import { changedFor, useLoad } from '../../lib/hooks.ts';

export function FindingsPanel({ artifact }: { artifact: Artifact }) {
  const data = useLoad(() => api.call('findings.list', { caseId: artifact.caseId, artifactId: artifact.id }), [artifact.id], changedFor(artifact.caseId));
  return (
    <>
      <ErrorText error={data.error} />
      {data.data && <FindingsList findings={data.data} onChanged={data.reload} />}
    </>
  );
}
