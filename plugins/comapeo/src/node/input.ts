import { CairnError, ErrorCodes } from '@cairn/sdk';
import type { Address } from './comapeo-plugin.js';

// The commands' input as the CLI (or another plugin) gives it, checked.

/** `--connect HOST:PORT`, given once or more. */
export function addressesIn(value: unknown): Address[] {
  const given = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return given.map((entry) => addressIn(String(entry)));
}

export function addressIn(text: string): Address {
  const match = /^(.+):(\d{1,5})$/.exec(text.trim());
  const port = match ? Number(match[2]) : NaN;
  if (!match || port < 1 || port > 65535) {
    throw new CairnError(ErrorCodes.INVALID_INPUT, `connect: '${text}' is not HOST:PORT; give the address a CoMapeo device shows, e.g. --connect 192.168.1.20:42311.`);
  }
  return { address: match[1]!.replace(/^\[(.*)\]$/, '$1'), port };
}

/** `--wait-peers N`: a whole number, 0 or more. */
export function countIn(value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const count = Number(value);
  if (!Number.isInteger(count) || count < 0) throw new CairnError(ErrorCodes.INVALID_INPUT, `wait-peers: give a whole number of devices, 0 or more, not '${String(value)}'.`);
  return count;
}

export function secondsIn(value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new CairnError(ErrorCodes.INVALID_INPUT, `timeout: give a number of seconds above 0, not '${String(value)}'.`);
  return seconds;
}

export function roleIn(value: unknown): 'participant' | 'coordinator' {
  const role = value ?? 'participant';
  if (role !== 'participant' && role !== 'coordinator') {
    throw new CairnError(ErrorCodes.INVALID_INPUT, `role: give participant or coordinator, not '${String(role)}'.`);
  }
  return role;
}
