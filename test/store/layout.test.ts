import { describe, expect, it } from 'vitest';
import { Image, serialiseDocument, spliceImage } from '../../src/store/layout.js';

const header = { version: '3.0', meta: { file_revision: 1 }, current_flow_id: 'flow_a' };
const flowA = { id: 'flow_a', name: 'A', plans: [] };
const flowB = { id: 'flow_b', name: 'B "quoted"\nline', plans: [] };
const flowC = { id: 'flow_c', name: 'C', plans: [{ id: 'plan_x', title: 'mentions "id":"flow_a"' }] };

function image(...flows: Array<{ id: string }>): Image {
  return Image.fromDocument(header, flows.map((f) => [f.id, f]));
}

function parse(pieces: Buffer[]): any {
  return JSON.parse(Buffer.concat(pieces).toString('utf8'));
}

describe('layout', () => {
  it('serialises one flow per line and reads it back', () => {
    const text = serialiseDocument(header, [['flow_a', flowA], ['flow_b', flowB]]);
    expect(text.split('\n')).toHaveLength(10);
    expect(JSON.parse(text)).toEqual({ ...header, flows: { flow_a: flowA, flow_b: flowB } });
    const img = Image.fromBytes(Buffer.from(text))!;
    expect([...img.members().keys()]).toEqual(['flow_a', 'flow_b']);
    expect(img.value(img.member('flow_b')!)).toEqual(flowB);
    expect(img.header).toEqual(header);
  });

  it('rejects other layouts so they take the full-parse path', () => {
    expect(Image.fromBytes(Buffer.from(JSON.stringify({ ...header, flows: { flow_a: flowA } })))).toBeUndefined();
    expect(Image.fromBytes(Buffer.from(JSON.stringify({ ...header, flows: {} }, null, 2)))).toBeUndefined();
    expect(Image.fromBytes(Buffer.from(''))).toBeUndefined();
  });

  it('finds members by id and by mentioned text', () => {
    const img = image(flowA, flowB, flowC);
    expect(img.member('flow_c')).toBeDefined();
    expect(img.member('flow_zz')).toBeUndefined();
    expect([...img.membersContaining('"plan_x"')].map((m) => m.id)).toEqual(['flow_c']);
    // flow_a is mentioned inside flow_c's text too; both lines are candidates.
    expect([...img.membersContaining('"id":"flow_a"')].map((m) => m.id)).toEqual(['flow_a']);
  });

  it('splices replaced, removed and appended flows, keeping the rest byte for byte', () => {
    const img = image(flowA, flowB, flowC);
    const cases: Array<[string, Map<string, unknown>, Set<string>, string[]]> = [
      ['replace middle', new Map([['flow_b', { ...flowB, name: 'B2' }]]), new Set(), ['flow_a', 'flow_b', 'flow_c']],
      ['remove first', new Map(), new Set(['flow_a']), ['flow_b', 'flow_c']],
      ['remove last', new Map(), new Set(['flow_c']), ['flow_a', 'flow_b']],
      ['remove all', new Map(), new Set(['flow_a', 'flow_b', 'flow_c']), []],
      ['append', new Map([['flow_d', { id: 'flow_d', name: 'D', plans: [] }]]), new Set(), ['flow_a', 'flow_b', 'flow_c', 'flow_d']],
      ['remove and append', new Map([['flow_d', { id: 'flow_d', name: 'D', plans: [] }]]), new Set(['flow_c']), ['flow_a', 'flow_b', 'flow_d']],
    ];
    for (const [name, put, removed, ids] of cases) {
      const pieces = spliceImage(img, { ...header, meta: { file_revision: 2 } }, { put, removed });
      const doc = parse(pieces);
      expect(Object.keys(doc.flows), name).toEqual(ids);
      expect(doc.meta.file_revision, name).toBe(2);
      const again = Image.fromBytes(Buffer.concat(pieces));
      expect(again, `${name}: still in layout`).toBeDefined();
      if (ids.includes('flow_c')) expect(doc.flows.flow_c).toEqual(flowC);
    }
    const empty = Image.fromDocument(header, []);
    const added = parse(spliceImage(empty, header, { put: new Map([['flow_a', flowA]]), removed: new Set() }));
    expect(added.flows).toEqual({ flow_a: flowA });
  });

  it('holdsInOrder: the flow lines are exactly these ids, in this order', () => {
    const escaped = { id: 'flow_"é"', name: 'E', plans: [] };
    const img = image(flowA, escaped, flowC);
    expect(img.holdsInOrder(['flow_a', 'flow_"é"', 'flow_c'])).toBe(true);
    expect(img.holdsInOrder(['flow_a', 'flow_c', 'flow_"é"'])).toBe(false);
    expect(img.holdsInOrder(['flow_a', 'flow_"é"'])).toBe(false);
    expect(img.holdsInOrder(['flow_a', 'flow_"é"', 'flow_c', 'flow_ghost'])).toBe(false);
    // An id that only appears inside another flow's line is not a flow.
    expect(image(flowC).holdsInOrder(['flow_a'])).toBe(false);
    expect(image().holdsInOrder([])).toBe(true);
    expect(image().holdsInOrder(['flow_a'])).toBe(false);
  });
});
