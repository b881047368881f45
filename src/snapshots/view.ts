// One snapshot's flows, read only as far as a question needs: restoring one flow or plan
// parses the lines of the flows it concerns in the baseline and applies only the patch
// operations on those flows, instead of parsing the whole store and every patch.
import { applyPatch, type Operation } from 'fast-json-patch';
import { Image } from '../store/layout.js';
import type { SnapshotState } from './engine.js';

export interface SnapshotView {
  /** Flow ids in the snapshot's order. */
  flowIds(): string[];
  /** A flow as the snapshot holds it (not yet validated), or undefined. */
  flow(id: string): unknown;
  /** Ids of the flows whose JSON may contain `text`: every flow that does, and maybe more. */
  mentioning(text: string): string[];
  /** The whole snapshot. */
  state(): SnapshotState;
}

/** A view of a snapshot already read whole. */
export function wholeView(state: SnapshotState): SnapshotView {
  const flows = (): Record<string, unknown> => ((state.flows as { flows?: Record<string, unknown> }).flows ?? {});
  return {
    flowIds: () => Object.keys(flows()),
    flow: (id) => (Object.hasOwn(flows(), id) ? flows()[id] : undefined),
    mentioning: (text) => Object.entries(flows()).filter(([, flow]) => JSON.stringify(flow).includes(text)).map(([id]) => id),
    state: () => state,
  };
}

const FLOWS = '/flows/flows/';

const touchesFlows = (path: string) => path === '' || path === '/flows' || path === '/flows/flows' || path.startsWith(FLOWS);

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/**
 * A baseline's flows.json bytes with the patches after it. Each operation under
 * /flows/flows/<id> is kept for that flow; operations on the header and the other parts do
 * not concern flows. Undefined when the operations do not allow reading flow by flow
 * (an older patch that replaces all flows at once, or a baseline in another layout).
 */
export function patchedView(bytes: Buffer, patches: readonly Operation[][], whole: () => SnapshotState): SnapshotView | undefined {
  const image = Image.fromBytes(bytes);
  if (!image) return undefined;
  const byFlow = new Map<string, Operation[]>();
  const order: Array<{ id: string; gone: boolean }> = [];
  for (const ops of patches) {
    for (const op of ops) {
      if (!touchesFlows(op.path) && !('from' in op && touchesFlows(op.from))) continue;
      if (!op.path.startsWith(FLOWS) || 'from' in op) return undefined;
      const rest = op.path.slice(FLOWS.length);
      const slash = rest.indexOf('/');
      const id = unescapePointer(slash < 0 ? rest : rest.slice(0, slash));
      const list = byFlow.get(id) ?? [];
      list.push({ ...op, path: `/v${slash < 0 ? '' : rest.slice(slash)}` });
      byFlow.set(id, list);
      if (slash < 0) order.push({ id, gone: op.op === 'remove' });
    }
  }
  return {
    flowIds() {
      const ids = [...image.members().keys()];
      const present = new Set(ids);
      // A flow added back after being removed goes to the end, as a JSON object key does.
      for (const { id, gone } of order) {
        if (gone) present.delete(id);
        else if (!present.has(id)) {
          present.add(id);
          ids.push(id);
        }
      }
      return ids.filter((id) => present.delete(id));
    },
    flow(id) {
      const member = image.member(id);
      const box: { v?: unknown } = member ? { v: image.value(member) } : {};
      const ops = byFlow.get(id);
      return ops ? applyPatch(box, ops, false, true).newDocument.v : box.v;
    },
    mentioning(text) {
      const ids = new Set<string>();
      for (const member of image.membersContaining(text)) ids.add(member.id);
      for (const id of byFlow.keys()) ids.add(id);
      return [...ids];
    },
    state: whole,
  };
}
