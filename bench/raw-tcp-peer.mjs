// The baseline of the Wi-Fi benchmark: the same number of bytes over one plain TCP connection.
//   raw-tcp-peer.mjs serve HOST        prints {"port"} once listening, then {"bytes","ms"} per copy received
//   raw-tcp-peer.mjs send HOST PORT N  sends N bytes, prints {"ms"} once the receiver has them all
import net from 'node:net';

const [mode, host, portText, bytesText] = process.argv.slice(2);
const say = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

if (mode === 'serve') {
  const server = net.createServer((socket) => {
    let received = 0;
    const started = performance.now();
    socket.on('data', (chunk) => (received += chunk.length));
    socket.on('end', () => {
      say({ bytes: received, ms: performance.now() - started });
      socket.end('ok');
      server.close();
    });
  });
  server.listen(0, host, () => say({ port: server.address().port }));
} else {
  const total = Number(bytesText);
  const chunk = Buffer.alloc(1 << 16, 7);
  const started = performance.now();
  const socket = net.connect(Number(portText), host, () => {
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        const piece = sent + chunk.length <= total ? chunk : chunk.subarray(0, total - sent);
        sent += piece.length;
        if (!socket.write(piece)) return socket.once('drain', pump);
      }
      socket.end();
    };
    pump();
  });
  socket.on('data', () => say({ ms: performance.now() - started }));
}
