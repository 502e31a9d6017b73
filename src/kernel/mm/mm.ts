/**
 * The memory manager: placeholder until the memory subsystem lands (buddy allocator, SLUB, mm accounting).
 */
import type { Kernel } from '../kernel.js';
import type { Rq } from '../sched/rq.js';
import type { Task } from '../task/task.js';
import type { MemCall } from '../task/user.js';

export class MemoryManager {
  constructor(private readonly k: Kernel) {}
  boot(): void {}
  bootLines(): string[] {
    return [];
  }
  bootMemoryLines(): string[] {
    return [];
  }
  fork(_parent: Task, _child: Task, _thread: boolean): string | null {
    return null;
  }
  exit(_p: Task): void {}
  releaseTask(_p: Task): void {}
  totalRamPages(): number {
    return Math.floor(this.k.config.memoryBytes / 4096);
  }
  dropCaches(_mode: number): void {}
  setupWatermarks(): void {}
  taskMem(_t: Task): null | {
    minflt: number;
    majflt: number;
    vsizeBytes: number;
    rssPages: number;
    vmPeakKb: number;
    vmSizeKb: number;
    hwmKb: number;
    rssAnonKb: number;
    rssFileKb: number;
    rssShmemKb: number;
    vmDataKb: number;
    vmStkKb: number;
    vmExeKb: number;
    vmLibKb: number;
    vmPteKb: number;
    vmSwapKb: number;
  } {
    return null;
  }
  oomScore(_t: Task): number {
    return 0;
  }
  taskReport(_t: Task): Record<string, unknown> {
    return {};
  }
  summary(): Record<string, unknown> {
    return {};
  }
  syscall(_rq: Rq, p: Task, _call: MemCall): boolean {
    p.pendingResult = { ok: false, errno: 'ENOSYS' };
    void this.k;
    return true;
  }
}
