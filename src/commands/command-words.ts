// The words of the command language and what they name (DESIGN §6): verbs, nouns, their
// synonyms, each command's flags, either word order. The parser builds on it, and so does
// completion — in the shell from a copy of the table's shapes made at build time
// (src/completion), so a keystroke does not load every command.
import type { CommandShape, Field } from './define.js';

export const VERB_SYNONYMS: Readonly<Record<string, string>> = {
  ls: 'list',
  new: 'add',
  remove: 'rm',
  delete: 'rm',
  del: 'rm',
  mv: 'move',
  edit: 'set',
  complete: 'done',
  finish: 'done',
  '?': 'help',
};

export const NOUN_SYNONYMS: Readonly<Record<string, string>> = {
  flows: 'flow',
  plans: 'plan',
  tasks: 'task',
  docs: 'doc',
  document: 'doc',
  documents: 'doc',
  snapshots: 'snapshot',
  snap: 'snapshot',
  cfg: 'config',
  ctx: 'context',
};

export class CommandWords<C extends CommandShape = CommandShape> {
  private readonly byName = new Map<string, C>();
  private readonly flagsOf = new Map<C, Map<string, Field>>();
  readonly verbs = new Set<string>();
  readonly nouns = new Set<string>();

  constructor(readonly commands: readonly C[]) {
    for (const command of commands) {
      for (const name of [command.name, ...command.aliases]) {
        if (this.byName.has(name)) throw new Error(`internal: command ${name} defined twice`);
        this.byName.set(name, command);
      }
      this.verbs.add(command.verb);
      if (command.noun) this.nouns.add(command.noun);
      for (const alias of command.aliases) this.verbs.add(alias.split(' ')[0]);
    }
  }

  /** A command by its name or an alias ("add task", "undo"). */
  get(name: string): C | undefined {
    return this.byName.get(name);
  }

  lookup(verb: string, noun?: string): C | undefined {
    return this.byName.get(noun ? `${verb} ${noun}` : verb);
  }

  /** A command's flags by the name written after `--`. */
  flags(command: C): ReadonlyMap<string, Field> {
    // Made when first asked for: a command's fields come from its schema, which is built
    // only for the commands a run uses.
    let flags = this.flagsOf.get(command);
    if (!flags) {
      flags = new Map();
      for (const field of command.fields) if (field.flag) flags.set(field.flag, field);
      this.flagsOf.set(command, flags);
    }
    return flags;
  }

  /** Nouns that go with a verb, for messages and completion. */
  nounsFor(verb: string): string[] {
    const out: string[] = [];
    for (const name of this.byName.keys()) {
      const [v, n] = name.split(' ');
      if (v === verb && n && !out.includes(n)) out.push(n);
    }
    return out;
  }

  /** Verbs that go with a noun. */
  verbsFor(noun: string): string[] {
    const out: string[] = [];
    for (const name of this.byName.keys()) {
      const [v, n] = name.split(' ');
      if (n === noun && !out.includes(v)) out.push(v);
    }
    return out;
  }

  /** A word as a verb: lower case, synonyms resolved (`ls` → `list`). */
  verb(word: string): string {
    const lower = word.toLowerCase();
    return VERB_SYNONYMS[lower] ?? lower;
  }

  /** A word as a noun: lower case, synonyms resolved (`tasks` → `task`). */
  noun(word: string): string {
    const lower = word.toLowerCase();
    return NOUN_SYNONYMS[lower] ?? lower;
  }

  /** "config list", "task add": a noun first, then one of its verbs. */
  nounFirst(first: string, second: string): boolean {
    return !this.verbs.has(this.verb(first)) && this.nouns.has(this.noun(first)) && !!this.lookup(this.verb(second), this.noun(first));
  }

  /**
   * A leading "flow" at the prompt is the program's name only when a whole command
   * follows it ("flow add task x"); "flow list" is the noun-first form of "list flow".
   */
  programName(words: readonly { text: string; quoted: boolean }[]): boolean {
    return (
      words.length > 1 &&
      !words[0].quoted &&
      words[0].text === 'flow' &&
      this.verbs.has(this.verb(words[1].text)) &&
      (words.length > 2 || !!this.lookup(this.verb(words[1].text)))
    );
  }
}
