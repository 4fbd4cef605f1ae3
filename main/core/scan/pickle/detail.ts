// The pickle detail's shapes live in shared/ so the renderer's pickle view can read them.
export type * from '../../../../shared/pickle-detail.ts';
