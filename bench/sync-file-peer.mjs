// One `sync with a file` in a process of its own, reporting its time and peak memory.
import { CairnHost } from '@cairn/core';
import { fileURLToPath } from 'node:url';

const [dataDir, file] = process.argv.slice(2);
const host = new CairnHost({ dataDir, builtinPluginsDir: fileURLToPath(new URL('../plugins', import.meta.url)) });
await host.start();
const started = performance.now();
const result = await host.commands.execute('sync-file.sync', [file]);
const wall = performance.now() - started;
const observations = (await host.projects.open()).countObservations();
await host.dispose();
process.stdout.write(`${JSON.stringify({ wall, rssMiB: process.resourceUsage().maxRSS / 1024, observations, result })}\n`);
