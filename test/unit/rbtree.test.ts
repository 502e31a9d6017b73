import { describe, expect, it } from 'vitest';
import { RbTree, type RbNode } from '../../src/lib/rbtree.js';
import { Xoshiro128 } from '../../src/kernel/core/rng.js';

class N implements RbNode<N> {
  rbParent: N | null = null;
  rbLeft: N | null = null;
  rbRight: N | null = null;
  rbRed = false;
  rbOnTree = false;
  min = 0;
  constructor(
    public key: number,
    public id: number,
    public v: number,
  ) {}
}

function augment(n: N): boolean {
  const m = Math.min(n.v, n.rbLeft?.min ?? Infinity, n.rbRight?.min ?? Infinity);
  if (m === n.min) return false;
  n.min = m;
  return true;
}

function copy(from: N, to: N): void {
  to.min = from.min;
}

function less(a: N, b: N): boolean {
  return a.key !== b.key ? a.key < b.key : a.id < b.id;
}

describe('RbTree (property: random operations against a sorted array)', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`seed ${seed}: order, red-black properties, leftmost and augmented min hold`, () => {
      const rng = new Xoshiro128(seed);
      const tree = new RbTree<N>({ less, augment, copy });
      const oracle: N[] = [];
      let id = 0;
      for (let step = 0; step < 3000; step++) {
        if (oracle.length === 0 || rng.intBelow(100) < 55) {
          const n = new N(rng.intBelow(50), id++, rng.intBelow(1000));
          tree.insert(n);
          oracle.push(n);
        } else {
          const i = rng.intBelow(oracle.length);
          const n = oracle[i] as N;
          tree.erase(n);
          oracle.splice(i, 1);
        }
        // Every step: erase stops propagating at the first unchanged node, so a wrong value must show at once.
        const err = tree.verify((n) => {
          const m = Math.min(n.v, n.rbLeft?.min ?? Infinity, n.rbRight?.min ?? Infinity);
          return m === n.min ? null : `bad min at ${n.id} (step ${step})`;
        });
        expect(err).toBeNull();
        if (step % 37 === 0 || oracle.length < 5) {
          const sorted = [...oracle].sort((a, b) => (less(a, b) ? -1 : 1));
          const walk: N[] = [];
          tree.forEach((n) => walk.push(n));
          expect(walk.map((n) => n.id)).toEqual(sorted.map((n) => n.id));
          expect(tree.leftmost).toBe(sorted[0] ?? null);
          expect(tree.size).toBe(oracle.length);
          const rootMin = oracle.length === 0 ? undefined : Math.min(...oracle.map((n) => n.v));
          expect(tree.root?.min).toBe(rootMin);
        }
      }
    });
  }

  it('rejects double insert and erase of a node not on the tree', () => {
    const tree = new RbTree<N>({ less });
    const n = new N(1, 1, 1);
    tree.insert(n);
    expect(() => tree.insert(n)).toThrow();
    tree.erase(n);
    expect(() => tree.erase(n)).toThrow();
  });
});
