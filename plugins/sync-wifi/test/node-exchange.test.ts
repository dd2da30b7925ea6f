import NoiseSecretStream from '@hyperswarm/secret-stream';
import { expect } from 'chai';
import c from 'compact-encoding';
import Protomux from 'protomux';
import type { SwarmConnection } from 'hyperswarm';
import { duplexPair } from '@cairn/sdk';
import { NODE_EXCHANGE_CHANNEL, NodeExchange } from '@cairn/plugin-sync-wifi/node/node-exchange.js';
import type { LanAddress } from '@cairn/plugin-sync-wifi/node/address.js';

/** Two ends of a real Noise connection, as a swarm hands them over. */
function connectionPair(): [SwarmConnection, SwarmConnection, () => void] {
  const [left, right] = duplexPair();
  const a = new NoiseSecretStream(true, left);
  const b = new NoiseSecretStream(false, right);
  return [a as unknown as SwarmConnection, b as unknown as SwarmConnection, () => (a.destroy(), b.destroy())];
}

async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 5000) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const held = (exchange: NodeExchange) => (Reflect.get(exchange, 'held') as LanAddress[]).length;

describe('node exchange (the DHT nodes members tell each other of)', () => {
  it('says nothing before the peer is trusted, holds what it hears until then, and then uses it', async () => {
    const [left, right, close] = connectionPair();
    try {
      const heardLeft: LanAddress[][] = [];
      const heardRight: LanAddress[][] = [];
      const leftExchange = new NodeExchange(left, (addresses) => heardLeft.push(addresses));
      const rightExchange = new NodeExchange(right, (addresses) => heardRight.push(addresses));
      rightExchange.send([{ host: '10.0.0.9', port: 4000 }]); // not trusted yet: not sent
      leftExchange.trust([{ host: '10.0.0.1', port: 49737 }, { host: '10.0.0.3', port: 50000 }]);
      await until(() => held(rightExchange) === 2);
      expect(heardRight).to.deep.equal([]);
      rightExchange.trust([{ host: '10.0.0.2', port: 49738 }]);
      expect(heardRight).to.deep.equal([[{ host: '10.0.0.1', port: 49737 }, { host: '10.0.0.3', port: 50000 }]]);
      await until(() => heardLeft.length === 1);
      expect(heardLeft).to.deep.equal([[{ host: '10.0.0.2', port: 49738 }]]);
      rightExchange.send([{ host: '10.0.0.4', port: 1234 }]);
      await until(() => heardLeft.length === 2);
      expect(heardLeft[1]).to.deep.equal([{ host: '10.0.0.4', port: 1234 }]);
    } finally {
      close();
    }
  });

  it('keeps only IPv4 addresses with a port from what a peer says', async () => {
    const [left, right, close] = connectionPair();
    try {
      const heard: LanAddress[][] = [];
      const exchange = new NodeExchange(left, (addresses) => heard.push(addresses));
      exchange.trust([]);
      // The peer speaks the channel by hand, and says nonsense around one good address.
      const stream = right as unknown as { userData: unknown };
      stream.userData = Protomux.from(right);
      const channel = (stream.userData as Protomux).createChannel({ protocol: NODE_EXCHANGE_CHANNEL })!;
      const message = channel.addMessage({ encoding: c.json, onmessage: () => undefined });
      channel.open();
      message.send({ nodes: [{ host: 'example.org', port: 80 }, { host: '10.0.0.5', port: 70000 }, 'x', { host: '10.0.0.6', port: 5000, extra: true }] });
      message.send({ nodes: 'not a list' });
      message.send({ nodes: [{ host: '10.0.0.7', port: 5001 }] });
      await until(() => heard.length === 2);
      expect(heard).to.deep.equal([[{ host: '10.0.0.6', port: 5000 }], [{ host: '10.0.0.7', port: 5001 }]]);
    } finally {
      close();
    }
  });
});
