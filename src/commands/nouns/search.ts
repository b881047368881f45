// `flow search QUERY` (issue 13 item 6): tasks, plans and documents, ranked, with a
// snippet around each match.
import * as z from 'zod/mini';
import { openDocuments } from '../../documents/documents.js';
import { oneLine } from '../../domain/sanitize.js';
import { distrust, HOW_TO_TRUST } from '../../hooks/trust.js';
import { ITEM_KINDS, type ItemKind } from '../../search/corpus.js';
import { commandEmbedder } from '../../search/embed.js';
import type { SearchHit } from '../../search/search.js';
import { ref, text } from '../args.js';
import { defineCommand } from '../define.js';
import { listing, paging } from '../list.js';
import { progressBar } from '../progress.js';
import type { Env } from '../env.js';
import { requirePlanScope } from '../refs.js';
import type { Style } from '../style.js';

const IN_VALUES = ['tasks', 'plans', 'docs'] as const;
const KIND_OF: Record<(typeof IN_VALUES)[number], ItemKind> = { tasks: 'task', plans: 'plan', docs: 'doc' };

/** The snippet with its match marked. */
function shown(style: Style, hit: SearchHit): string {
  const { text: snippet, match } = hit.snippet;
  if (!match) return oneLine(snippet);
  const [start, end] = match;
  return `${oneLine(snippet.slice(0, start))}${style.paint('accent', oneLine(snippet.slice(start, end)))}${oneLine(snippet.slice(end))}`;
}

/** search.embed_command when it is set and trusted; untrusted, one line says so and ranking is by words alone. */
function trustedEmbedCommand(env: Env): string | undefined {
  const config = env.config();
  const command = config.search.embed_command.trim();
  if (!command) return undefined;
  const why = distrust(env.dir, config);
  if (!why) return command;
  env.warn(`search.embed_command in config.json did not run (${why}), so hits are ranked by their words alone; ${HOW_TO_TRUST}`);
  return undefined;
}

/** Hits a search shows when not told. */
const HITS = 20;
const HIT_LIST = listing('hit', ['kind', 'id', 'title', 'score', 'plan_id', 'flow_id', 'path', 'snippet']);

const searchCommand = defineCommand({
  verb: 'search',
  summary: 'search task titles and notes, plan titles and summaries, and text documents',
  details:
    'Words are found by prefix and with a typo; every word must match. Korean, Chinese and Japanese text is ' +
    'found by its words too. The index is a cache in .flow/cache/search/, brought up to date before each search. ' +
    'With search.embed_command set, the best matches are ranked again by meaning.',
  args: () => z.object({
    query: text(),
    in: z.optional(z.array(z.enum(IN_VALUES))),
    plan: z.optional(ref('plan')),
    ...paging(),
  }),
  positionals: ['query'],
  argv: {
    query: { description: 'words to find', rest: true },
    in: { description: 'only tasks, plans or docs (comma-separated)' },
    plan: { description: 'only what this plan holds or references' },
    ...HIT_LIST.argv,
    limit: { description: `at most N hits (default ${HITS})` },
  },
  examples: ['flow search postgres', 'flow search 데이터베이스 --in docs', 'flow search "atomic write" --plan 1 --json', 'flow search cache --offset 20 --fields id,title'],
  async run(args, env) {
    const plan = args.plan ? requirePlanScope(await env.read(), env, args.plan).plan.id : undefined;
    const config = env.config();
    const docs = openDocuments(env.dir, config.documents, (message) => env.warn(message), () => distrust(env.dir, config));
    const embed = trustedEmbedCommand(env);
    // Loaded here: the index is not part of every command's start-up.
    const { searchStore } = await import('../../search/search.js');
    // The hits up to the page's end, and one more to know whether the list goes on (the
    // page leaves it out; the rows counted are then a lower bound).
    const limit = args.limit ?? HITS;
    const end = (args.offset ?? 0) + limit;
    const { hits } = await searchStore(
      env.dir,
      env.store,
      docs,
      { text: args.query, kinds: args.in?.map((k) => KIND_OF[k]) ?? [...ITEM_KINDS], plan, limit: end + 1 },
      { embedder: embed ? commandEmbedder(embed, env.dir) : undefined, progress: progressBar(env, 'indexing for search', (n) => `${n} flows and documents`) },
    );
    const human = (style: Style, page: readonly SearchHit[]) =>
      page
        .map(
          (h) =>
            `${style.paint('muted', h.kind.padEnd(4))} ${style.paint('heading', oneLine(h.title))}  ${style.paint('id', h.id)}\n` +
            `     ${shown(style, h)}${h.path ? `\n     ${style.paint('muted', oneLine(h.path))}` : ''}`,
        )
        .join('\n');
    // Hits as plain records, the rows a list pages.
    const output = HIT_LIST.output({ ...args, limit }, hits.map((hit) => ({ ...hit })), human, `nothing found for "${oneLine(args.query)}"`, hits.length > end);
    return { ...output, message: `${output.message} for "${oneLine(args.query)}"` };
  },
});

export const SEARCH_COMMANDS = [searchCommand] as const;
