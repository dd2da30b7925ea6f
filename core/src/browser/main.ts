import './styles.css';
import 'vscode-jsonrpc/browser';
import { errorMessage } from '@cairn/sdk/browser';
import { HostClient } from './rpc-client.js';
import { Workbench } from './workbench.js';

/** The workbench's entry: connect to the host, then draw the shell. */
async function main(): Promise<void> {
  const container = document.getElementById('workbench')!;
  try {
    const client = await HostClient.connect();
    await new Workbench(container, client).start();
  } catch (error) {
    container.removeAttribute('aria-busy');
    container.textContent = `Cairn could not start: ${errorMessage(error)}`;
    container.setAttribute('role', 'alert');
  }
}

void main();
