/**
 * The machine's swap area, as mm/swapfile.c shows it in /proc/swaps (swap_show()). There is one, a partition
 * beside the root file system (root=/dev/vda1 on the command line), swapped on at boot with no priority given,
 * so it has the first automatic priority, -2 (least_priority starts at -1 and is decremented first).
 * Its size is SwapTotal: the same pages meminfo counts.
 */
import type { Kernel } from '../kernel.js';

export const SWAP_DEVICE = '/dev/vda2';
export const SWAP_PRIORITY = -2;

/** swap_show(): the header, then per area "%*s%s\t%lu\t%s%lu\t%s%d\n" (name padded to 40, sizes in kB). */
export function renderSwaps(k: Kernel): string {
  let out = 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n';
  const pages = k.mm.totalSwapPages();
  if (pages === 0) return out;
  const bytes = pages * 4;
  const inuse = k.mm.swapUsed * 4;
  const pad = ' '.repeat(SWAP_DEVICE.length < 40 ? 40 - SWAP_DEVICE.length : 1);
  out += `${SWAP_DEVICE}${pad}partition\t${bytes}\t${bytes < 10_000_000 ? '\t' : ''}${inuse}\t${inuse < 10_000_000 ? '\t' : ''}${SWAP_PRIORITY}\n`;
  return out;
}
