/**
 * /proc/interrupts (kernel/irq/proc.c show_interrupts, arch/x86/kernel/irq.c arch_show_interrupts) and the
 * interrupt numbers of /proc/stat's intr line, from the runqueues' irq_stat counters.
 *
 * The machine is a KVM guest without legacy devices: its one numbered device is the virtio-blk disk (vda) at
 * PCI 0000:00:04.0, with an MSI-X vector for its configuration and one per request queue. blk-mq gives it a
 * queue per CPU and the vectors are affinity-managed, so queue N's completions interrupt CPU N, the CPU that
 * submitted the I/O. The architecture's rows are those of a distribution kernel's configuration (local APIC,
 * SMP, MCE with thresholds and AMD deferred errors, KVM); the counters the simulation has no source for
 * (NMIs, spurious, performance-monitoring, irq_work, thermal, TLB shootdowns, posted interrupts) read 0.
 */
import type { Kernel } from '../kernel.js';
import type { Rq } from '../sched/rq.js';

/** The first MSI interrupt number, after the IO-APIC's 24 pins. */
const FIRST_MSI_IRQ = 24;
/** mce check_interval: the machine-check poll timer's period (the first poll is at boot). */
const MCE_POLL_INTERVAL_NS = 300e9;

/** arch_probe_nr_irqs(): 24 IO-APIC pins and 16 legacy, 8 per CPU, and 16 per pin for MSI. */
function nrIrqs(nrCpus: number): number {
  return 24 + 16 + 8 * nrCpus + 24 * 16;
}

/** mce_poll_count: the boot-time poll, then one per check_interval. */
function mcePolls(nowNs: number): number {
  return 1 + Math.floor(nowNs / MCE_POLL_INTERVAL_NS);
}

interface Row {
  name: string;
  count: (rq: Rq) => number;
  text: string;
}

/** arch_show_interrupts() rows in the kernel's order; ERR and MIS (machine-wide) are printed apart. */
function archRows(nowNs: number): Row[] {
  const zero = (): number => 0;
  return [
    { name: 'NMI', count: zero, text: 'Non-maskable interrupts' },
    { name: 'LOC', count: (rq) => rq.apicTimerIrqs, text: 'Local timer interrupts' },
    { name: 'SPU', count: zero, text: 'Spurious interrupts' },
    { name: 'PMI', count: zero, text: 'Performance monitoring interrupts' },
    { name: 'IWI', count: zero, text: 'IRQ work interrupts' },
    { name: 'RTR', count: zero, text: 'APIC ICR read retries' },
    { name: 'RES', count: (rq) => rq.irqReschedCount, text: 'Rescheduling interrupts' },
    { name: 'CAL', count: (rq) => rq.irqCallCount, text: 'Function call interrupts' },
    { name: 'TLB', count: zero, text: 'TLB shootdowns' },
    { name: 'TRM', count: zero, text: 'Thermal event interrupts' },
    { name: 'THR', count: zero, text: 'Threshold APIC interrupts' },
    { name: 'DFR', count: zero, text: 'Deferred Error APIC interrupts' },
    { name: 'MCE', count: zero, text: 'Machine check exceptions' },
    { name: 'MCP', count: () => mcePolls(nowNs), text: 'Machine check polls' },
  ];
}

const KVM_ROWS: readonly Row[] = [
  { name: 'PIN', count: () => 0, text: 'Posted-interrupt notification event' },
  { name: 'NPI', count: () => 0, text: 'Nested posted-interrupt event' },
  { name: 'PIW', count: () => 0, text: 'Posted-interrupt wakeup event' },
];

/** A virtio-blk vector: its number, MSI-X index, action name and count on a CPU. */
interface DeviceIrq {
  irq: number;
  hwirq: number;
  action: string;
  count: (rq: Rq) => number;
}

function deviceIrqs(k: Kernel): DeviceIrq[] {
  const out: DeviceIrq[] = [{ irq: FIRST_MSI_IRQ, hwirq: 0, action: 'virtio0-config', count: () => 0 }];
  for (let q = 0; q < k.nrCpus; q++) {
    out.push({ irq: FIRST_MSI_IRQ + 1 + q, hwirq: 1 + q, action: `virtio0-req.${q}`, count: (rq: Rq): number => (rq.cpu === q ? rq.blkIrqs : 0) });
  }
  return out;
}

export function renderInterrupts(k: Kernel): string {
  const online = k.rqs.filter((rq) => rq.online);
  // The first column is as wide as the largest interrupt number could be (at least 3).
  let prec = 3;
  for (let j = 1000; prec < 10 && j <= nrIrqs(k.nrCpus); j *= 10) prec++;
  const counts = (count: (rq: Rq) => number): string => online.map((rq) => `${String(count(rq)).padStart(10)} `).join('');
  const lines = [' '.repeat(prec + 8) + online.map((rq) => `CPU${rq.cpu}`.padEnd(11)).join('')];
  for (const d of deviceIrqs(k)) {
    lines.push(`${String(d.irq).padStart(prec)}: ${counts(d.count)} ${'PCI-MSIX-0000:00:04.0'.padStart(8)} ${String(d.hwirq).padStart(prec)}-${'edge'.padEnd(8)}  ${d.action}`);
  }
  for (const r of archRows(k.now)) lines.push(`${r.name.padStart(prec)}: ${counts(r.count)}  ${r.text}`);
  lines.push(`${'ERR'.padStart(prec)}: ${'0'.padStart(10)}`, `${'MIS'.padStart(prec)}: ${'0'.padStart(10)}`);
  for (const r of KVM_ROWS) lines.push(`${r.name.padStart(prec)}: ${counts(r.count)}  ${r.text}`);
  return `${lines.join('\n')}\n`;
}

/**
 * /proc/stat's intr line: the total of every interrupt (the numbered ones and arch_irq_stat_cpu()'s: NMI, local
 * timer, spurious, PMI, irq_work, ICR retries, resched, call, thermal, threshold, MCE and its polls; not TLB),
 * then each numbered interrupt's count from 0 to nr_irqs - 1. Offline CPUs count too (for_each_possible_cpu).
 */
export function intrLine(k: Kernel): string {
  const perIrq = new Array<number>(nrIrqs(k.nrCpus)).fill(0);
  let total = 0;
  const polls = mcePolls(k.now);
  for (const rq of k.rqs) {
    perIrq[FIRST_MSI_IRQ + 1 + rq.cpu] = rq.blkIrqs;
    total += rq.blkIrqs + rq.apicTimerIrqs + rq.irqReschedCount + rq.irqCallCount + polls;
  }
  return `intr ${total} ${perIrq.join(' ')}`;
}
