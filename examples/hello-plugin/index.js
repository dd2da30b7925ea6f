import { CairnError, ErrorCodes } from '@cairn/sdk';

export function activate(ctx) {
  let greetings = 0;
  ctx.subscriptions.push(
    ctx.commands.register('hello.greet', (input = {}) => {
      const { name = 'world', shout = false } = typeof input === 'string' ? { name: input } : input;
      if (typeof name !== 'string' || name.trim() === '') {
        throw new CairnError(ErrorCodes.INVALID_INPUT, 'name must be a non-empty string, e.g. "Ada"');
      }
      greetings += 1;
      ctx.log.info(`greeted ${name}`);
      const greeting = `Hello, ${name}!`;
      return { greeting: shout ? greeting.toUpperCase() : greeting, greetings };
    }),
  );
}

export function deactivate() {}
