// The second device of the sync benchmark, in a process of its own so that its memory is its own.
// Protocol on stdin/stdout, one JSON object per line.
import net from 'node:net';
import { createInterface } from 'node:readline';
import { Project } from '@cairn/core/node/project/project.js';
import { generateObservations } from '@cairn/core/common/sample-data.js';

const log = { debug() {}, info() {}, warn: (m) => console.error(m), error: (m) => console.error(m) };
const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
let project = null;
let server = null;

for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line);
  if (command.op === 'init') {
    project = await Project.create(command.dataDir, { join: command.projectKey, deviceName: 'bench-b' }, log);
    const started = performance.now();
    for (let offset = 0; offset < command.count; offset += 5000) {
      await project.createObservations(generateObservations(Math.min(5000, command.count - offset), command.seed + offset));
    }
    send({ op: 'ready', writeMs: performance.now() - started });
  } else if (command.op === 'listen') {
    server = net.createServer((socket) => {
      const session = project.replicate(socket, { initiator: false });
      session.done.then(
        (summary) => send({ op: 'synced', summary, observations: project.countObservations(), rssMiB: process.resourceUsage().maxRSS / 1024 }),
        (error) => send({ op: 'failed', error: error.message }),
      );
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    send({ op: 'listening', port: server.address().port });
  } else if (command.op === 'add') {
    await project.createObservations(generateObservations(1, command.seed));
    send({ op: 'added' });
  } else if (command.op === 'exit') {
    server?.close();
    await project?.close();
    send({ op: 'closed', rssMiB: process.resourceUsage().maxRSS / 1024 });
    process.exit(0);
  }
}
