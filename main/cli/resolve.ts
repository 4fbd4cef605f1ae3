import type { CaseSummary } from '../../shared/api/schemas.ts';
import { UsageError, type CliContext } from './types.ts';

/** A case named on the command line: its id, a unique id prefix (4+ characters), or its exact name. */
export async function resolveCase(ctx: CliContext, ref: string | undefined): Promise<CaseSummary> {
  if (!ref) throw new UsageError('name the case (its id, an id prefix, or its name)');
  const cases = await ctx.core().invoke('cases.list', {}, { face: 'cli' });
  const exact = cases.find((c) => c.id === ref);
  if (exact) return exact;
  const named = cases.filter((c) => c.name === ref);
  const matches = named.length > 0 ? named : ref.length >= 4 ? cases.filter((c) => c.id.startsWith(ref)) : [];
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) throw new UsageError(`no case matches "${ref}" (see \`assay case list\`)`);
  throw new UsageError(`"${ref}" matches ${matches.length} cases: ${matches.map((c) => c.id).join(', ')}; use the id`);
}
