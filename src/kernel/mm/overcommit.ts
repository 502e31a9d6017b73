/**
 * Commit accounting (mm/util.c): Committed_AS, CommitLimit and __vm_enough_memory() for the three
 * vm.overcommit_memory modes, with the user and admin reserves.
 */
import type { SysctlValues } from '../sysctl.js';

export const OVERCOMMIT_GUESS = 0;
export const OVERCOMMIT_ALWAYS = 1;
export const OVERCOMMIT_NEVER = 2;

export interface CommitState {
  totalRamPages: number;
  totalSwapPages: number;
  hugetlbPages: number;
  committedAs: number;
}

/** vm_commit_limit(). */
export function commitLimitPages(s: CommitState, sysctl: SysctlValues): number {
  let allowed: number;
  if (sysctl.overcommitKbytes !== 0) allowed = Math.floor(sysctl.overcommitKbytes / 4);
  else allowed = Math.floor(((s.totalRamPages - s.hugetlbPages) * sysctl.overcommitRatio) / 100);
  return allowed + s.totalSwapPages;
}

/**
 * __vm_enough_memory(): the caller has already added `pages` to Committed_AS (as the kernel does first).
 * Returns true when the commit may stand.
 */
export function vmEnoughMemory(s: CommitState, sysctl: SysctlValues, pages: number, mmTotalVmPages: number | null, capSysAdmin: boolean): boolean {
  const mode = sysctl.overcommitMemory;
  if (mode === OVERCOMMIT_ALWAYS) return true;
  if (mode === OVERCOMMIT_GUESS) return pages <= s.totalRamPages + s.totalSwapPages;
  let allowed = commitLimitPages(s, sysctl);
  if (!capSysAdmin) allowed -= Math.floor(sysctl.adminReserveKbytes / 4);
  if (mmTotalVmPages !== null) {
    const reserve = Math.floor(sysctl.userReserveKbytes / 4);
    allowed -= Math.min(Math.floor(mmTotalVmPages / 32), reserve);
  }
  return s.committedAs < allowed;
}
