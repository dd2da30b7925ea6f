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
    await new Workbench(container, client).start();
    performance.mark('cairn:ready');
  } catch (error) {
    container.removeAttribute('aria-busy');
    container.textContent = `Cairn could not start: ${errorMessage(error)}`;
    container.setAttribute('role', 'alert');
  }
}

void main();
