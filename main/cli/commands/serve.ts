import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { appRoot } from '../../core/util/app-root.ts';
import { startHost } from '../../host/server.ts';
import { EXIT, UsageError, type Command } from '../types.ts';

const RENDERER_DIR = join(appRoot(), 'dist', 'renderer');
const BUILD_SCRIPT = join(appRoot(), 'scripts', 'build.mjs');

export const serveCommand: Command = {
  path: ['serve'],
  usage: 'assay serve [--port N]',
  summary: 'Serve the Assay UI and API on 127.0.0.1 behind a random per-launch token; open the printed URL in a browser. Ctrl-C stops it.',
  options: { port: { type: 'string' } },
  async run(ctx, args) {
    const portText = args.values.port as string | undefined;
    const port = portText === undefined ? 0 : Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port takes a number from 0 to 65535');
    if (!existsSync(`${RENDERER_DIR}/index.html`)) {
      // First run after `npm ci`: build the UI once (a few seconds).
      ctx.io.err('building the UI (first run)…\n');
      const built = spawnSync(process.execPath, [BUILD_SCRIPT, '--quiet'], { stdio: ['ignore', 'ignore', 'inherit'] });
      if (built.status !== 0 || !existsSync(`${RENDERER_DIR}/index.html`)) {
        ctx.io.err(`the UI could not be built (${RENDERER_DIR}); run \`npm run build\` to see why\n`);
        return EXIT.usage;
      }
    }
    const host = await startHost({ core: ctx.core(), rendererDir: RENDERER_DIR, port });
    if (ctx.json) ctx.io.out(`${JSON.stringify({ url: host.url, port: host.port })}\n`);
    else ctx.io.out(`Assay is serving on ${host.url}\nOpen that URL in a browser on this machine. Press Ctrl-C to stop.\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await host.close();
    return EXIT.ok;
  },
};
