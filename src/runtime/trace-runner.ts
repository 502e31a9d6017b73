/**
 * The frame loop for an imported trace: the same pacing as the simulation (speed, pause, steps), but virtual
 * time is the trace's own (relative to its first event), and each step reads the file up to the new time.
 * Frames carry a snapshot rebuilt from the trace; what a trace does not record (memory, the fair tree, the
 * log) is marked so that panes can say so.
 */
import type { KernelBus } from '../bus/bus.js';
import type { Frame } from '../bus/frame.js';
import { LaneBuilder } from '../bus/lanes.js';
import type { CpuSnapshot, KernelSnapshot, MemCounters, TaskSnapshot } from '../kernel/index.js';
import type { TraceFeeder } from '../trace/import.js';
import { classOfPrio, type TraceModel } from '../trace/model.js';
import { frameDue, Pacer, simHzFor, TickLoop, type WallClock } from './pacing.js';

const ZERO_MEM: MemCounters = {
  memTotal: 0, memFree: 0, memAvailable: 0, buffers: 0, cached: 0, swapCached: 0, active: 0, inactive: 0, activeAnon: 0, inactiveAnon: 0,
  activeFile: 0, inactiveFile: 0, swapTotal: 0, swapFree: 0, dirty: 0, writeback: 0, anonPages: 0, mapped: 0, shmem: 0, kReclaimable: 0,
  slab: 0, sReclaimable: 0, sUnreclaim: 0, kernelStackKb: 0, pageTables: 0, commitLimit: 0, committedAs: 0, vmallocUsed: 0, percpuKb: 0,
};

const KTHREAD = /^(kworker|ksoftirqd|migration|rcu_|kthreadd|cpuhp|watchdog|idle_inject|kswapd|khugepaged|kcompactd|irq\/|jbd2|scsi_|kblockd)/;

function policyOf(prio: number): TaskSnapshot['policy'] {
  if (prio < 0) return 'deadline';
  if (prio < 100) return 'fifo';
  return 'normal';
}

export function traceSnapshot(m: TraceModel, name: string, relNowNs: number, events: number): KernelSnapshot {
  const abs = m.firstNs + relNowNs;
  const prioOf = (pid: number): number => m.tasks.get(pid)?.prio ?? 120;
  const cpus: CpuSnapshot[] = m.cpus.map((c) => {
    let dl = 0;
    let rt = 0;
    let fair = 0;
    const count = (pid: number): void => {
      const cls = classOfPrio(pid, prioOf(pid));
      if (cls === 'dl') dl++;
      else if (cls === 'rt') rt++;
      else if (cls === 'fair') fair++;
    };
    for (const pid of c.queued) count(pid);
    if (c.curr !== 0) count(c.curr);
    return {
      cpu: c.cpu,
      currPid: c.curr,
      currComm: c.curr === 0 ? `swapper/${c.cpu}` : c.currComm,
      currClass: classOfPrio(c.curr, c.currPrio),
      nrRunning: dl + rt + fair,
      nrDl: dl,
      nrRt: rt,
      nrFair: fair,
      nrSwitches: c.nrSwitches,
      busyNsByClass: m.busyAt(c, abs),
      rtThrottled: false,
    };
  });
  const tasks: TaskSnapshot[] = [];
  for (const x of m.tasks.values()) {
    if (x.exited) continue;
    const prio = Number.isNaN(x.prio) ? 120 : x.prio;
    tasks.push({
      pid: x.pid,
      ppid: x.ppid,
      comm: x.comm,
      state: (x.state === 'R' ? 'R' : x.state === 'D' ? 'D' : x.state === 'I' ? 'I' : x.state === 'T' ? 'T' : 'S'),
      policy: policyOf(prio),
      cls: classOfPrio(x.pid, prio),
      prio,
      nice: prio >= 100 ? prio - 120 : 0,
      rtPriority: prio >= 0 && prio < 100 ? 99 - prio : 0,
      cpu: x.cpu,
      onCpu: x.running,
      kthread: KTHREAD.test(x.comm),
      cpuNs: m.cpuNsAt(x, abs),
      vruntime: 0,
      deadline: 0,
      rssKb: 0,
      oomScore: 0,
      oomScoreAdj: 0,
      nvcsw: x.nvcsw,
      nivcsw: x.nivcsw,
      runDelayNs: x.runDelayNs,
      maxRunDelayNs: x.maxRunDelayNs,
      pcount: x.pcount,
      startNs: Math.max(0, x.firstNs - m.firstNs),
      lastOp: '',
    });
  }
  return {
    source: 'trace',
    nowNs: relNowNs,
    hostname: name,
    release: 'imported trace',
    nrCpus: Math.max(1, m.cpus.length),
    hz: 0,
    schedMode: 'eevdf',
    preempt: 'trace',
    halted: null,
    panicText: null,
    loadavg: [0, 0, 0],
    lastPid: 0,
    cpus,
    tasks,
    fair: null,
    mem: ZERO_MEM,
    zones: [],
    swapTotalPages: 0,
    swapUsedPages: 0,
    slabs: [],
    oomKills: [],
    oomKillsTotal: 0,
    reclaim: { kswapdReclaimed: 0, directReclaimed: 0, kswapdScanned: 0, directScanned: 0, slabFreed: 0, allocstall: 0, swappedOut: 0, swappedIn: 0 },
    psi: null,
    overcommitMemory: 0,
    printk: { nextSeq: 0, consoleLoglevel: 0, defaultMessageLoglevel: 0, ignoreLoglevel: false },
    sysrqMask: 0,
    eventsProcessed: events,
  };
}

export class TraceRunner {
  readonly pacer: Pacer;
  private readonly loop: TickLoop;
  private frameNo = 0;
  private lastFrameMs = 0;
  /** Wall time between steps. */
  private readonly stepMs: number;
  private relNs = 0;
  private readonly lanes = new LaneBuilder(0, () => ({ pid: 0, comm: 'swapper', prio: 120 }), 0);
  private renderMs = 0;
  private endAnnounced = false;
  /** Called once when the end of the trace is reached. */
  onEnd: (() => void) | null = null;

  constructor(
    private readonly feeder: TraceFeeder,
    private readonly name: string,
    private readonly bus: KernelBus,
    private readonly clock: WallClock,
    readonly opts: { fps: number; simHz: number; speed: number; paused: boolean },
  ) {
    this.pacer = new Pacer(opts.speed, opts.paused);
    this.stepMs = 1000 / simHzFor(opts.fps, opts.simHz);
    this.loop = new TickLoop(clock, this.stepMs, () => this.tick());
  }

  private onEvent = (e: { kind: string; cpu: number; tNs: number }): void => {
    const m = this.feeder.model;
    this.lanes.ensure(m.cpus.length, 0);
    if (e.kind !== 'sched_switch') return;
    const s = e as unknown as { nextPid: number; nextComm: string; nextPrio: number };
    this.lanes.switchTo(e.cpu, e.tNs - m.firstNs, s.nextPid, s.nextComm, s.nextPrio);
  };

  start(): void {
    this.pacer.advanceNs(this.clock.nowMs());
    // The first event fixes the trace's time origin.
    this.feeder.feed(-Infinity, Infinity, this.onEvent);
    const t0 = this.feeder.heldNs;
    if (t0 !== null) this.feeder.feed(t0, Infinity, this.onEvent);
    this.publish();
    this.loop.start();
  }

  stop(): void {
    this.loop.stop();
  }

  tick(): void {
    const now = this.clock.nowMs();
    this.bus.drainCommands();
    let stepEvents = 0;
    let stepNs = 0;
    for (const p of this.bus.drainPacing()) {
      const st = this.pacer.apply(p, 4_000_000);
      if (st !== null) {
        stepEvents += st.events;
        stepNs += st.ns;
      }
    }
    const owed = this.pacer.advanceNs(now) + stepNs;
    const m = this.feeder.model;
    if (stepEvents > 0 && !this.feeder.done) {
      this.feeder.feed(Infinity, stepEvents, this.onEvent);
      this.relNs = Math.max(this.relNs, m.lastNs - m.firstNs);
    } else if (owed > 0) {
      this.relNs += owed;
      if (m.firstNs >= 0) this.feeder.feed(m.firstNs + this.relNs, Infinity, this.onEvent);
    }
    if (this.feeder.done) {
      this.relNs = Math.min(this.relNs, Math.max(0, m.lastNs - m.firstNs));
      if (!this.endAnnounced) {
        this.endAnnounced = true;
        this.pacer.paused = true;
        this.onEnd?.();
      }
    }
    if (stepEvents > 0 || stepNs > 0 || frameDue(now, this.lastFrameMs, this.opts.fps, this.stepMs)) {
      this.publish();
      this.lastFrameMs = now;
    }
  }

  publish(): void {
    const m = this.feeder.model;
    this.lanes.ensure(m.cpus.length, 0);
    const start = this.clock.nowMs();
    const frame: Frame = {
      frameNo: this.frameNo++,
      snapshot: traceSnapshot(m, this.name, this.relNs, this.feeder.stats.events),
      events: [],
      spans: this.lanes.drain(this.relNs),
      printk: [],
      actions: [],
      jobs: [],
      sim: { speed: this.pacer.speed, paused: this.pacer.paused, lagging: false, boot: 1, fps: this.opts.fps, renderMs: this.renderMs, simMs: 0, outBytesPerSec: 0, eventsPerSec: 0 },
    };
    this.lastFrameMs = start;
    this.bus.publish(frame);
    this.renderMs = this.clock.nowMs() - start;
  }
}
