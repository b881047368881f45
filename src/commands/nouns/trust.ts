// The command for `flow trust hooks` (DESIGN §6, §8); what trust means is in src/hooks/trust.ts.
import * as z from 'zod/mini';
import { FlowError } from '../../domain/errors.js';
import { oneLine } from '../../domain/sanitize.js';
import { executables, executablesDigest, hasExecutables, isTrusted, revokeTrust, trustExecutables } from '../../hooks/trust.js';
import { defineCommand } from '../define.js';

const trust = defineCommand({
  verb: 'trust',
  noun: 'hooks',
  summary: 'let the hooks and commands in config.json run here (lists them; asks, or --yes); --revoke takes it back',
  details:
    'Hooks and commands in .flow/config.json (hooks.*, documents.command.put|get, search.embed_command)\n' +
    'are shell commands. flow runs them only once you trusted exactly these commands for this data\n' +
    'directory (or set them with flow config set …); the record is kept in your per-user folder\n' +
    '($XDG_CONFIG_HOME/flow, default ~/.config/flow), and any other change to any of them revokes it.',
  args: () => z.object({ revoke: z.optional(z.boolean()), yes: z.optional(z.boolean()) }),
  argv: {
    revoke: { description: 'take trust back: the hooks and commands stop running' },
    yes: { description: 'trust without asking (needed off a terminal)' },
  },
  examples: ['flow trust hooks', 'flow trust hooks --yes', 'flow trust hooks --revoke'],
  // Only a person grants trust (DESIGN §8): an agent that could would run what it wrote.
  mcp: false,
  async run(args, env) {
    const config = env.config();
    const listed = executables(config);
    const hooks = listed.flatMap(({ setting, command }) => (setting.startsWith('hooks.') ? [{ event: setting.slice('hooks.'.length), command }] : []));
    const commands = listed.filter(({ setting }) => !setting.startsWith('hooks.'));
    const json = (trusted: boolean) => ({ dir: env.dir, digest: executablesDigest(config), trusted, hooks, commands });
    if (args.revoke) {
      const had = await revokeTrust(env.dir);
      const message = had
        ? `Hooks and commands of ${env.dir} are no longer trusted: they will not run`
        : `Hooks and commands of ${env.dir} were not trusted`;
      return { json: json(false), human: () => message, message };
    }
    if (!hasExecutables(config)) {
      const message = 'config.json has no hooks or commands: nothing to trust';
      return { json: json(true), human: () => message, message };
    }
    const lines = listed.map(({ setting, command }) => `  ${setting.replace(/^hooks\./, '')}: ${oneLine(command)}`).join('\n');
    if (isTrusted(env.dir, config)) {
      const message = `These are already trusted for ${env.dir}:\n${lines}`;
      return { json: json(true), human: () => message, message: 'hooks and commands already trusted' };
    }
    const shown = `config.json in ${env.dir} has these hooks and commands (shell commands flow would run):\n${lines}`;
    if (!args.yes) {
      if (!env.interactive) throw new FlowError('usage', `${shown}\nrefusing to trust them without --yes (not on a terminal)`);
      if (!(await env.confirm(`${shown}\nTrust them?`))) throw new FlowError('failed', 'Cancelled; they stay untrusted and will not run');
    }
    // The digest of what was shown: if anything changes meanwhile, that is not trusted.
    await trustExecutables(env.dir, config);
    const counted = [
      hooks.length ? `${hooks.length} hook${hooks.length === 1 ? '' : 's'}` : '',
      commands.length ? `${commands.length} command${commands.length === 1 ? '' : 's'}` : '',
    ].filter(Boolean);
    const message = `Trusted ${counted.join(' and ')} for ${env.dir}; any other change to them revokes this`;
    return { json: json(true), human: () => message, message };
  },
});

export const TRUST_COMMANDS = [trust] as const;
