// The workflow guide agents read as the resource flow://guide: how flow's tools fit
// together, in the order an agent needs them. The tool names come from the table.
import type { Tool } from './tools.js';

export function workflowGuide(tools: readonly Tool[]): string {
  const writers = tools.filter((t) => !t.annotations.readOnlyHint).map((t) => `\`${t.name}\``);
  const readers = tools.filter((t) => t.annotations.readOnlyHint).flatMap((t) => [...t.commands.keys()].map((name) => `\`${name}\``));
  return `# Working with flow

flow keeps flows → plans → tasks (→ subtasks) in \`.flow/flows.json\`. People, scripts
and other agents change it at the same time; every change is one transaction, so
nothing anyone writes is lost.

## Tools

- \`read\` only reads: ${readers.join(', ')}. Safe to call any time.
- ${writers.join(', ')} change things. Every tool takes \`command\` (the command's name,
  e.g. \`"add task"\`) and that command's arguments beside it.

## References

A \`ref\` (and \`plan\`, \`flow\`, \`parent\`, \`depends_on\`) is a full id (\`task_1a2b…\`),
a unique id prefix, the number \`list\` shows in the current scope, or for flows and
plans the exact name. Ids never change; numbers do when tasks move — keep ids.

## Scope

Commands act in this session's plan (\`use plan\`), else its flow's only plan. Adding a
plan makes it the scope. Pass \`plan\` to act elsewhere.

## Working through a queue

1. \`read {"command":"ready task"}\`: to do, dependencies done, not claimed; by priority.
2. \`task {"command":"claim task","agent":"<your name>"}\` claims the next ready task (or
   the \`ref\` you give) in one transaction: two agents never get the same task. It is in
   progress and leased to you (\`lease\`, default 30m; claim it again to renew).
3. Work. Record what you learn: \`task {"command":"set task","ref":…,"notes":…}\`.
4. \`task {"command":"done task","ref":…}\`, or \`release task\` to give it back.
   An expired lease makes the task ready for others again.
5. Nothing ready is an error with code \`not_found\`: wait, or look with \`list task\`.

## Context

Leave what the next session (yours or another agent's) needs: \`context {"command":"set
context","summary":…}\` says where things stand, \`note context\` logs a decision (with
\`plan\` or \`task\`). \`export context\` (or the resource \`flow://context\`) is the
summary, the plan's open tasks and the newest decisions, cut to \`max_chars\`.

## Lists

Lists return \`items\`, \`total\`, \`offset\` and \`next_offset\` (null at the end;
\`total_is_lower_bound\` when a search stopped counting);
25 rows unless you pass \`limit\` (at most 100). \`fields\` keeps only the fields you name
(\`["id","title","status"]\`): ask for less, read more.

## Safe edits

\`expect\` (\`{"title":"Old"}\`) applies a \`set\` only if the fields still have those
values; otherwise error \`conflict\`. Deleting a flow or plan needs \`yes: true\`; a
snapshot is taken first, and \`other {"command":"undo"}\` reverts this session's last change.

## Errors

Errors carry \`code\` and \`exit\`: \`not_found\`, \`invalid\`, \`vetoed\`, \`failed\` (1),
\`usage\`, \`ambiguous\` (2: fix the call; the message names the key and suggests the
nearest word), \`conflict\` (3: someone changed it; read again), \`busy\` (4: retry),
\`unreadable\`, \`too_new\` (5). Exit 0 means the change is on disk; after an error nothing
was written, so retrying is safe.

Resources: \`flow://context\` (this session's context, as \`export context\` gives it),
\`flow://schema\` (flows.json), \`flow://schema/hook\` (what hooks read on stdin).
`;
}
