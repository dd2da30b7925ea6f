import './styles.css';
import 'vscode-jsonrpc/browser';
import { errorMessage } from '@cairn/sdk/browser';
import { HostClient } from './rpc-client.js';
import { Workbench } from './workbench.js';

/** The workbench's entry: connect to the host, then draw the shell. */
async function main(): Promise<void> {
  const container = document.getElementById('workbench')!;
  try {
    // Marks for the start-up benchmark: script running, connected, first state drawn.
    performance.mark('cairn:script');
    const client = await HostClient.connect();
    performance.mark('cairn:connected');
    const workbench = new Workbench(container, client);
    try {
      await workbench.start();
    } catch (error) {
      // The message below replaces the shell: its keys and listeners must not act behind it.
      await workbench.dispose().catch(() => undefined);
      throw error;
    }
    performance.mark('cairn:ready');
  } catch (error) {
    container.removeAttribute('aria-busy');
    container.textContent = `Cairn could not start: ${errorMessage(error)}`;
    container.setAttribute('role', 'alert');
  }
}

void main();
