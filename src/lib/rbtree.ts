/**
 * An intrusive red-black tree with a cached leftmost node and optional augmentation, after the kernel's
 * lib/rbtree.c + include/linux/rbtree_augmented.h (rb_add_augmented_cached / rb_erase_augmented_cached).
 * Nodes carry their own links, so a scheduling entity is its own tree node (no allocation on insert).
 * Invariants: the comparator is a strict total order (ties broken by the caller, e.g. by pid); after every
 * insert/erase, augment(n) holds for every node (checked by verify() in tests).
 */

export interface RbNode<N> {
  rbParent: N | null;
  rbLeft: N | null;
  rbRight: N | null;
  rbRed: boolean;
  rbOnTree: boolean;
}

export interface RbTreeOps<N> {
  /** Strict total order: less(a, b) && less(b, a) is never true; !less(a,b) && !less(b,a) only for a === b. */
  less(a: N, b: N): boolean;
  /**
   * Recompute n's augmented value from its own key and its children's values; return whether it changed.
   * Optional.
   */
  augment?(n: N): boolean;
  /** Copy from's augmented value to to (the kernel's augment->copy); required with augment. */
  copy?(from: N, to: N): void;
}

export class RbTree<N extends RbNode<N>> {
  root: N | null = null;
  /** Cached leftmost node (rb_root_cached.rb_leftmost). */
  leftmost: N | null = null;
  size = 0;
  private readonly less: (a: N, b: N) => boolean;
  private readonly aug: ((n: N) => boolean) | null;
  private readonly copy: ((from: N, to: N) => void) | null;

  constructor(ops: RbTreeOps<N>) {
    this.less = ops.less;
    this.aug = ops.augment ?? null;
    this.copy = ops.copy ?? null;
    if (this.aug !== null && this.copy === null) throw new Error('rbtree: augment needs copy');
  }

  insert(z: N): void {
    if (z.rbOnTree) throw new Error('rbtree: node already on a tree');
    let y: N | null = null;
    let x = this.root;
    let leftmost = true;
    let left = false;
    while (x !== null) {
      y = x;
      left = this.less(z, x);
      if (left) x = x.rbLeft;
      else {
        x = x.rbRight;
        leftmost = false;
      }
    }
    z.rbParent = y;
    z.rbLeft = null;
    z.rbRight = null;
    z.rbRed = true;
    z.rbOnTree = true;
    // The last comparison of the descent says which side of y z goes (no second call of less).
    if (y === null) this.root = z;
    else if (left) y.rbLeft = z;
    else y.rbRight = z;
    if (leftmost) this.leftmost = z;
    this.size++;
    if (this.aug !== null) {
      this.aug(z);
      // A new leaf can only lower its ancestors' values: stop at the first one that does not change.
      let n = y;
      while (n !== null && this.aug(n)) n = n.rbParent;
    }
    this.insertFixup(z);
  }

  erase(z: N): void {
    if (!z.rbOnTree) throw new Error('rbtree: node not on a tree');
    if (this.leftmost === z) this.leftmost = this.next(z);
    let y = z;
    let yWasRed = y.rbRed;
    let x: N | null;
    let xParent: N | null;
    // Where the augmented values start to change, bottom up: the removed node's old place (one child or
    // none), or the successor's old parent up to the successor, which then holds z's old value (two).
    let propFrom: N | null;
    if (z.rbLeft === null) {
      x = z.rbRight;
      xParent = z.rbParent;
      this.transplant(z, z.rbRight);
      propFrom = xParent;
    } else if (z.rbRight === null) {
      x = z.rbLeft;
      xParent = z.rbParent;
      this.transplant(z, z.rbLeft);
      propFrom = xParent;
    } else {
      y = minimum(z.rbRight);
      yWasRed = y.rbRed;
      x = y.rbRight;
      if (y.rbParent === z) {
        xParent = y;
      } else {
        xParent = y.rbParent;
        this.transplant(y, y.rbRight);
        y.rbRight = z.rbRight;
        (y.rbRight as N).rbParent = y;
      }
      this.transplant(z, y);
      y.rbLeft = z.rbLeft;
      (y.rbLeft as N).rbParent = y;
      y.rbRed = z.rbRed;
      propFrom = xParent;
      if (this.copy !== null) {
        this.copy(z, y);
        // Up to (not into) y: a node whose value holds has unchanged ancestors below y.
        let n = xParent as N;
        while (n !== y && (this.aug as (n: N) => boolean)(n)) n = n.rbParent as N;
        propFrom = y;
      }
    }
    z.rbParent = z.rbLeft = z.rbRight = null;
    z.rbOnTree = false;
    this.size--;
    // rb_erase_augmented's propagate: up from the first changed node, stopping at the first that holds (z's
    // removal can only change values along this path, and an unchanged node leaves every ancestor unchanged).
    const aug = this.aug;
    if (aug !== null) {
      let n = propFrom;
      while (n !== null && aug(n)) n = n.rbParent;
    }
    if (!yWasRed) this.eraseFixup(x, xParent);
  }

  /** In-order successor. */
  next(n: N): N | null {
    if (n.rbRight !== null) return minimum(n.rbRight);
    let c = n;
    let p = n.rbParent;
    while (p !== null && c === p.rbRight) {
      c = p;
      p = p.rbParent;
    }
    return p;
  }

  /** Rightmost node (O(log n)). */
  last(): N | null {
    let n = this.root;
    if (n === null) return null;
    while (n.rbRight !== null) n = n.rbRight;
    return n;
  }

  /** In-order walk; the callback must not modify the tree. */
  forEach(fn: (n: N, depth: number) => void): void {
    const walk = (n: N | null, d: number): void => {
      if (n === null) return;
      walk(n.rbLeft, d + 1);
      fn(n, d);
      walk(n.rbRight, d + 1);
    };
    walk(this.root, 0);
  }

  /** Recompute augmented values from n up to the root. */
  propagate(n: N | null): void {
    const aug = this.aug;
    if (aug === null) return;
    while (n !== null) {
      aug(n);
      n = n.rbParent;
    }
  }

  /**
   * Check the red-black properties, parent links, order, cached leftmost and (with check) the augmentation.
   * Returns an error message or null. For tests and debug invariants; O(n).
   */
  verify(checkAug?: (n: N) => string | null): string | null {
    if (this.root !== null && this.root.rbRed) return 'root is red';
    if (this.root !== null && this.root.rbParent !== null) return 'root has a parent';
    let count = 0;
    let prev: N | null = null;
    let err: string | null = null;
    const walk = (n: N | null): number => {
      if (n === null || err !== null) return 1;
      if (n.rbLeft !== null && n.rbLeft.rbParent !== n) err = 'broken parent link';
      if (n.rbRight !== null && n.rbRight.rbParent !== n) err = 'broken parent link';
      if (n.rbRed && ((n.rbLeft?.rbRed ?? false) || (n.rbRight?.rbRed ?? false))) err = 'red node with red child';
      const lh = walk(n.rbLeft);
      if (prev !== null && !this.less(prev, n)) err = 'in-order sequence not strictly increasing';
      prev = n;
      count++;
      if (checkAug && err === null) err = checkAug(n);
      const rh = walk(n.rbRight);
      if (lh !== rh) err = 'black heights differ';
      return lh + (n.rbRed ? 0 : 1);
    };
    walk(this.root);
    if (err !== null) return err;
    if (count !== this.size) return `size ${this.size} but ${count} nodes`;
    const lm = this.root === null ? null : minimum(this.root);
    if (lm !== this.leftmost) return 'cached leftmost is stale';
    return null;
  }

  private transplant(u: N, v: N | null): void {
    const p = u.rbParent;
    if (p === null) this.root = v;
    else if (u === p.rbLeft) p.rbLeft = v;
    else p.rbRight = v;
    if (v !== null) v.rbParent = p;
  }

  private rotateLeft(x: N): void {
    const y = x.rbRight as N;
    x.rbRight = y.rbLeft;
    if (y.rbLeft !== null) y.rbLeft.rbParent = x;
    this.transplant(x, y);
    y.rbLeft = x;
    x.rbParent = y;
    if (this.aug !== null) {
      this.aug(x);
      this.aug(y);
    }
  }

  private rotateRight(x: N): void {
    const y = x.rbLeft as N;
    x.rbLeft = y.rbRight;
    if (y.rbRight !== null) y.rbRight.rbParent = x;
    this.transplant(x, y);
    y.rbRight = x;
    x.rbParent = y;
    if (this.aug !== null) {
      this.aug(x);
      this.aug(y);
    }
  }

  private insertFixup(z: N): void {
    while (z.rbParent !== null && z.rbParent.rbRed) {
      const p = z.rbParent;
      const g = p.rbParent as N;
      if (p === g.rbLeft) {
        const u = g.rbRight;
        if (u !== null && u.rbRed) {
          p.rbRed = false;
          u.rbRed = false;
          g.rbRed = true;
          z = g;
        } else {
          if (z === p.rbRight) {
            z = p;
            this.rotateLeft(z);
          }
          const p2 = z.rbParent as N;
          const g2 = p2.rbParent as N;
          p2.rbRed = false;
          g2.rbRed = true;
          this.rotateRight(g2);
        }
      } else {
        const u = g.rbLeft;
        if (u !== null && u.rbRed) {
          p.rbRed = false;
          u.rbRed = false;
          g.rbRed = true;
          z = g;
        } else {
          if (z === p.rbLeft) {
            z = p;
            this.rotateRight(z);
          }
          const p2 = z.rbParent as N;
          const g2 = p2.rbParent as N;
          p2.rbRed = false;
          g2.rbRed = true;
          this.rotateLeft(g2);
        }
      }
    }
    (this.root as N).rbRed = false;
  }

  private eraseFixup(x: N | null, parent: N | null): void {
    while (x !== this.root && (x === null || !x.rbRed)) {
      const p = parent as N;
      if (x === p.rbLeft) {
        let w = p.rbRight as N;
        if (w.rbRed) {
          w.rbRed = false;
          p.rbRed = true;
          this.rotateLeft(p);
          w = p.rbRight as N;
        }
        if (!(w.rbLeft?.rbRed ?? false) && !(w.rbRight?.rbRed ?? false)) {
          w.rbRed = true;
          x = p;
          parent = p.rbParent;
        } else {
          if (!(w.rbRight?.rbRed ?? false)) {
            (w.rbLeft as N).rbRed = false;
            w.rbRed = true;
            this.rotateRight(w);
            w = p.rbRight as N;
          }
          w.rbRed = p.rbRed;
          p.rbRed = false;
          if (w.rbRight !== null) w.rbRight.rbRed = false;
          this.rotateLeft(p);
          x = this.root;
          parent = null;
        }
      } else {
        let w = p.rbLeft as N;
        if (w.rbRed) {
          w.rbRed = false;
          p.rbRed = true;
          this.rotateRight(p);
          w = p.rbLeft as N;
        }
        if (!(w.rbRight?.rbRed ?? false) && !(w.rbLeft?.rbRed ?? false)) {
          w.rbRed = true;
          x = p;
          parent = p.rbParent;
        } else {
          if (!(w.rbLeft?.rbRed ?? false)) {
            (w.rbRight as N).rbRed = false;
            w.rbRed = true;
            this.rotateLeft(w);
            w = p.rbLeft as N;
          }
          w.rbRed = p.rbRed;
          p.rbRed = false;
          if (w.rbLeft !== null) w.rbLeft.rbRed = false;
          this.rotateRight(p);
          x = this.root;
          parent = null;
        }
      }
    }
    if (x !== null) x.rbRed = false;
  }
}

function minimum<N extends RbNode<N>>(n: N): N {
  while (n.rbLeft !== null) n = n.rbLeft;
  return n;
}
