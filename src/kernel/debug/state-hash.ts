/**
 * A stable digest of the machine's state for journal checkpoints (TigerBeetle's hash_log idea): two runs that
 * should be identical hash the same at the same event count, and the first differing checkpoint brackets where
 * they diverged. Covers the clock, the event count, every runqueue, every live task's scheduling state and CPU
 * time, the memory and printk counters, and the scheduler tunables. Pure JS (FNV-1a over 32-bit words, two seeds), no node:crypto.
 */
import type { Kernel } from '../kernel.js';

class Fnv2 {
  private h1 = 0x811c9dc5;
  private h2 = 0x01000193 ^ 0x9e3779b9;

  num(x: number): void {
    // Numbers are integers here (ns, counts); split into two 32-bit words so values above 2^32 count fully.
    const lo = x >>> 0;
    const hi = Math.floor(x / 4294967296) >>> 0;
    this.word(lo);
    this.word(hi);
  }

  str(s: string): void {
    this.word(s.length);
    for (let i = 0; i < s.length; i++) this.word(s.charCodeAt(i));
  }

  private word(w: number): void {
    for (let i = 0; i < 4; i++) {
      const b = (w >>> (i * 8)) & 0xff;
      this.h1 = Math.imul(this.h1 ^ b, 0x01000193) >>> 0;
      this.h2 = Math.imul(this.h2 ^ b, 0x01000193) >>> 0;
    }
  }

  hex(): string {
    return this.h1.toString(16).padStart(8, '0') + this.h2.toString(16).padStart(8, '0');
  }
}

export function stateHash(k: Kernel): string {
  const h = new Fnv2();
  h.num(k.now);
  h.num(k.engine.processed);
  h.num(k.engine.pendingCount);
  for (const rq of k.rqs) {
    h.num(rq.curr.pid);
    h.num(rq.nrRunning);
    h.num(rq.nrSwitches);
    h.num(rq.cfs.minVruntime < 0 ? -rq.cfs.minVruntime : rq.cfs.minVruntime);
  }
  const pids = [...k.tasks.keys()].sort((a, b) => a - b);
  for (const pid of pids) {
    const t = k.tasks.get(pid);
    if (t === undefined) continue;
    h.num(pid);
    h.str(t.comm);
    h.num(t.state);
    h.num(t.exitState);
    h.num(t.cpu);
    h.num(t.prio);
    h.num(t.sumExecRuntimeNs);
    h.num(Math.abs(t.se.vruntime));
    h.num(Math.abs(t.se.deadline));
    h.num(t.nvcsw);
    h.num(t.nivcsw);
  }
  h.num(k.mm.pages.freePages);
  h.num(k.mm.committedAs);
  h.num(k.printkRing.nextSeq);
  // The tunables a command can change (debugfs knobs, RT sysctls): a replay that misses such a write diverges at
  // the next checkpoint, not only once its effect reaches the tasks.
  const t = k.tunables;
  h.str(t.preempt);
  for (const v of [t.baseSliceNs, t.normalizedBaseSliceNs, t.latencyNs, t.minGranNs, t.wakeupGranNs, t.nrLatency, t.migrationCostNs, t.nrMigrate, t.tunableScaling]) h.num(v);
  for (const name of Object.keys(t.features).sort()) h.num(t.features[name] === true ? 1 : 0);
  h.num(k.sysctl.rtRuntimeUs + 1);
  h.num(k.sysctl.rtPeriodUs);
  h.str(k.nodename);
  return h.hex();
}
