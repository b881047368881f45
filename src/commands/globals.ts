// Flags every command accepts (DESIGN §6), parsed wherever they appear. They belong to
// the command line, not to any command's arguments.

export interface GlobalFlag {
  type: 'string' | 'boolean';
  description: string;
  /** Placeholder in help: --dir PATH. */
  placeholder?: string;
}

export const GLOBAL_FLAGS: Readonly<Record<string, GlobalFlag>> = {
  dir: { type: 'string', placeholder: 'PATH', description: 'data directory (default: nearest .flow/)' },
  session: { type: 'string', placeholder: 'NAME', description: 'session whose scope to use (env FLOW_SESSION; default "default")' },
  json: { type: 'boolean', description: 'print exactly one JSON document' },
  quiet: { type: 'boolean', description: 'print nothing on success' },
  'no-color': { type: 'boolean', description: 'no colours (also when NO_COLOR is set or output is piped)' },
  help: { type: 'boolean', description: 'show help for the command' },
  version: { type: 'boolean', description: 'print the version of flow and of the file format it writes' },
  theme: { type: 'string', placeholder: 'NAME', description: 'TUI theme (dark, light, high-contrast, or a file in .flow/themes/)' },
};

export interface GlobalOptions {
  dir?: string;
  session?: string;
  json?: boolean;
  quiet?: boolean;
  'no-color'?: boolean;
  help?: boolean;
  version?: boolean;
  theme?: string;
}
