import { Duplex } from 'node:stream';

/**
 * Two connected in-process duplex streams: what one writes, the other reads, on a later turn of
 * the event loop as with a socket (delivering synchronously would let the two sides' protocol
 * handlers call each other without end). For syncing with a store in the same process, e.g.
 * `ctx.sync.openRelay(folder)` beside `ctx.sync.replicate`.
 */
export function duplexPair(): [Duplex, Duplex] {
  const make = (peer: () => Duplex) =>
    new Duplex({
      read() {},
      write(chunk, _encoding, callback) {
        setImmediate(() => {
          peer().push(chunk);
          callback();
        });
      },
      final(callback) {
        setImmediate(() => {
          peer().push(null);
          callback();
        });
      },
      destroy(error, callback) {
        const other = peer();
        if (!other.destroyed) other.destroy();
        callback(error);
      },
    });
  const left: Duplex = make(() => right);
  const right: Duplex = make(() => left);
  return [left, right];
}
