import { inject, injectable } from '@cairn/sdk/inversify';
import type { Member } from '@cairn/sdk';
import type { CliCommand, CliContribution } from '../cli/cli-command.js';
import { table } from '../cli/format.js';
import { ProjectService } from './project-service.js';

/** `cairn members` and what coordinators (and any member, to leave) do with them (DESIGN §10). */
@injectable()
export class MembersCliContribution implements CliContribution {
  constructor(@inject(ProjectService) private readonly projects: ProjectService) {}

  commands(): CliCommand[] {
    const members = async () => (await this.projects.open()).members;
    const device = [{ name: 'device-id', description: 'the device, as `cairn members` lists it (its first 8 characters are enough)' }];
    const one = (result: unknown) => formatMembers([result as Member]);
    return [
      {
        path: ['members'],
        description: 'List the devices of the project with their role and status',
        host: 'bare',
        run: async () => (await members()).list(),
        format: (result) => formatMembers(result as Member[]),
      },
      {
        path: ['members', 'admit'],
        description: 'Let in a device that asks to join (coordinators)',
        arguments: device,
        host: 'bare',
        run: async ({ deviceId }) => (await members()).admit(String(deviceId)),
        format: one,
      },
      {
        path: ['members', 'role'],
        description: "Set a member's role: participant or coordinator (coordinators)",
        arguments: [...device, { name: 'role', description: 'participant or coordinator' }],
        host: 'bare',
        run: async ({ deviceId, role }) => (await members()).setRole(String(deviceId), String(role)),
        format: one,
      },
      {
        path: ['members', 'remove'],
        description: 'Remove a device for good: no member syncs with it again (coordinators)',
        arguments: device,
        host: 'bare',
        run: async ({ deviceId }) => (await members()).remove(String(deviceId)),
        format: one,
      },
      {
        path: ['members', 'leave'],
        description: 'This device leaves the project for good',
        host: 'bare',
        run: async () => (await members()).leave(),
        format: one,
      },
    ];
  }
}

function formatMembers(members: Member[]): string {
  return table(
    ['DEVICE', 'NAME', 'TYPE', 'ROLE', 'STATUS', ''],
    members.map((member) => [member.deviceId.slice(0, 16), member.deviceName, member.deviceType, member.role, member.status, member.self ? '(this device)' : '']),
  );
}
