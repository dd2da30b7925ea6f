#!/usr/bin/env node
// The `cairn` command. The host is TypeScript compiled to dist/ by `npm run build`.
let cli;
try {
  cli = await import('../dist/node/cli/main.js');
} catch (error) {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist')) {
    process.stderr.write('error [ERR_INTERNAL]: Cairn is not built yet. Run `npm run build` in the repository first.\n');
    process.exit(1);
  }
  throw error;
}
cli.stopWhenOutputCloses();
process.exitCode = await cli.runCli(process.argv.slice(2));
