/**
 * struct dl_rq: deadline entities in an EDF red-black tree keyed by absolute deadline (ties by pid), plus the
 * bandwidth this CPU contributes (running_bw) for admission control.
 */
import { RbTree } from '../../../lib/rbtree.js';
import type { DlEntity } from '../../task/task.js';

function dlLess(a: DlEntity, b: DlEntity): boolean {
  if (a.deadlineNs !== b.deadlineNs) return a.deadlineNs < b.deadlineNs;
  return a.key < b.key;
}

export class DlRq {
  readonly tree = new RbTree<DlEntity>({ less: dlLess });
  dlNrRunning = 0;
}

export { dlLess };
