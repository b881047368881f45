// The command for `flow trust hooks` (DESIGN §6, §8); what trust means is in src/hooks/trust.ts.
import * as z from 'zod/mini';
import { FlowError } from '../../domain/errors.js';
import { oneLine } from '../../domain/sanitize.js';
import { HOOK_EVENTS, hasHooks, hooksDigest, isTrusted, revokeTrust, trustHooks } from '../../hooks/trust.js';
import { defineCommand } from '../define.js';

const trust = defineCommand({
  verb: 'trust',
  noun: 'hooks',
  summary: 'let the hooks in config.json run here (lists them; asks, or --yes); --revoke takes it back',
  details:
    'Hooks in .flow/config.json are shell commands. flow runs them only once you trusted\n' +
    'exactly these commands for this data directory (or set them with flow config set hooks.…);\n' +
    'the record is kept in your per-user folder ($XDG_CONFIG_HOME/flow, default ~/.config/flow),\n' +
    'and any other change to the hooks revokes it.',
  args: z.object({ revoke: z.optional(z.boolean()), yes: z.optional(z.boolean()) }),
  argv: {
    revoke: { description: 'take trust back: the hooks stop running' },
    yes: { description: 'trust without asking (needed off a terminal)' },
  },
  examples: ['flow trust hooks', 'flow trust hooks --yes', 'flow trust hooks --revoke'],
  // Only a person grants trust (DESIGN §8): an agent that could would run what it wrote.
  mcp: false,
  async run(args, env) {
    const hooks = env.config().hooks;
    const listed = HOOK_EVENTS.flatMap((event) => hooks[event].map((command) => ({ event, command })));
    const json = (trusted: boolean) => ({ dir: env.dir, digest: hooksDigest(hooks), trusted, hooks: listed });
    if (args.revoke) {
      const had = await revokeTrust(env.dir);
      const message = had ? `Hooks of ${env.dir} are no longer trusted: they will not run` : `Hooks of ${env.dir} were not trusted`;
      return { json: json(false), human: () => message, message };
    }
    if (!hasHooks(hooks)) {
      const message = 'config.json has no hooks: nothing to trust';
      return { json: json(true), human: () => message, message };
    }
    const lines = listed.map(({ event, command }) => `  ${event}: ${oneLine(command)}`).join('\n');
    if (isTrusted(env.dir, hooks)) {
      const message = `These hooks are already trusted for ${env.dir}:\n${lines}`;
      return { json: json(true), human: () => message, message: 'hooks already trusted' };
    }
    const shown = `config.json in ${env.dir} has these hooks (shell commands flow would run):\n${lines}`;
    if (!args.yes) {
      if (!env.interactive) throw new FlowError('usage', `${shown}\nrefusing to trust them without --yes (not on a terminal)`);
      if (!(await env.confirm(`${shown}\nTrust them?`))) throw new FlowError('failed', 'Cancelled; the hooks stay untrusted and will not run');
    }
    // The digest of what was shown: if the hooks change meanwhile, that is not trusted.
    await trustHooks(env.dir, hooks);
    const message = `Trusted ${listed.length} hook${listed.length === 1 ? '' : 's'} for ${env.dir}; any other change to them revokes this`;
    return { json: json(true), human: () => message, message };
  },
});

export const TRUST_COMMANDS = [trust] as const;
