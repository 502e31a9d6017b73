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
  /** Index of tasks by pid in the latest snapshot. */
  private byPid = new Map<number, TaskSnapshot>();

  setFrame(f: Frame): void {
    this.frame = f;
    this.byPid = new Map(f.snapshot.tasks.map((t) => [t.pid, t]));
  }

  get snapshot(): KernelSnapshot | null {
    return this.frame?.snapshot ?? null;
  }

  task(pid: number): TaskSnapshot | undefined {
    return this.byPid.get(pid);
  }

  get selected(): TaskSnapshot | undefined {
    return this.selectedPid === null ? undefined : this.byPid.get(this.selectedPid);
  }
}
