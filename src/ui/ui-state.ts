/** State the UI shares between widgets: not part of the simulation, never recorded in journals. */
import type { Frame } from '../bus/frame.js';
import type { KernelSnapshot, TaskSnapshot } from '../kernel/index.js';

export type ScreenId = 'overview' | 'scheduler' | 'memory' | 'log';
export const SCREENS: readonly ScreenId[] = ['overview', 'scheduler', 'memory', 'log'];

export class UiState {
  screen: ScreenId = 'overview';
  focus = 'tasks';
  /** The task selected in the task table; highlighted in every pane. */
  selectedPid: number | null = null;
  /** The user picked the task (keys, click, search): the selection then follows it; before, it is the top row. */
  selectionPinned = false;
  /** CPU whose fair runqueue the tree pane shows; follows the selected task unless pinned. */
  treeCpu = 0;
  treeCpuPinned = false;
  frame: Frame | null = null;
  /** Index of tasks by pid in the latest snapshot, built at the first lookup of a frame. */
  private byPid: Map<number, TaskSnapshot> | null = null;

  setFrame(f: Frame): void {
    this.frame = f;
    this.byPid = null;
  }

  private index(): Map<number, TaskSnapshot> {
    if (this.byPid === null) {
      this.byPid = new Map();
      for (const t of this.frame?.snapshot.tasks ?? []) this.byPid.set(t.pid, t);
    }
    return this.byPid;
  }

  get snapshot(): KernelSnapshot | null {
    return this.frame?.snapshot ?? null;
  }

  task(pid: number): TaskSnapshot | undefined {
    return this.index().get(pid);
  }

  get selected(): TaskSnapshot | undefined {
    return this.selectedPid === null ? undefined : this.index().get(this.selectedPid);
  }
}
