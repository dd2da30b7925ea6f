import { runCairn, type CairnProcessResult } from '@cairn/core/testing';
import { Lan as NamespaceLan } from '@cairn/sdk/testing';

/** The SDK's LAN of network namespaces, with `cairn` run on its hosts. */
export class Lan extends NamespaceLan {
  /** Runs `cairn` on a host of the LAN, to its end. */
  cairn(index: number, dataDir: string, args: string[]): Promise<CairnProcessResult> {
    return runCairn(['--data-dir', dataDir, ...args], { prefix: this.prefix(index), env: { CAIRN_WIFI_HOST: '' } });
  }
}
