// IPC channel names between the preload and the main process. One channel per API method,
// generated from the contract, so the preload exposes exactly the contract's methods.
export const APP_SCHEME = 'app';
export const APP_ORIGIN = 'app://assay';
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

export const apiChannel = (method: string) => `assay:api:${method}`;
export const EVENT_CHANNEL = 'assay:event';
export const PICK_PATHS_CHANNEL = 'assay:platform:pick-paths';
