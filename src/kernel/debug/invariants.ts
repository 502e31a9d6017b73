/**
 * Full consistency checks of the scheduler state, cheap enough to run after every event in tests:
 * nr_running adds up per class, every runnable task is queued exactly once on its CPU, curr is never in a
 * queue, the trees are valid red-black trees with correct augmentation and sums, min_vruntime never moves
 * back, and CPU time is conserved (tasks' time + idle time = CPUs x elapsed). Returns problems as text.
 */
import type { Kernel } from '../kernel.js';
import type { Rq } from '../sched/rq.js';
import { psiStateMask } from '../sched/psi.js';
import { accountRq } from '../sched/tick.js';
import { TASK_NOLOAD, TASK_UNINTERRUPTIBLE, type Task } from '../task/task.js';

export class InvariantChecker {
  private readonly lastMinV = new Map<number, number>();
  checks = 0;
  private readonly memstallByCpu: number[];
  private readonly memstallRunningByCpu: number[];

  constructor(private readonly k: Kernel) {
    this.memstallByCpu = new Array<number>(k.nrCpus).fill(0);
    this.memstallRunningByCpu = new Array<number>(k.nrCpus).fill(0);
  }

  /** Throws an Error listing the first problems found. */
  assert(): void {
    const p = this.check();
    if (p.length > 0) throw new Error(`invariant violated at t=${this.k.now} (event ${this.k.engine.processed}): ${p.slice(0, 5).join('; ')}`);
  }

  check(): string[] {
    this.checks++;
    const k = this.k;
    const problems: string[] = [];
    const bad = (s: string): void => {
      problems.push(s);
    };
    this.memstallByCpu.fill(0);
    this.memstallRunningByCpu.fill(0);
    for (const t of k.tasks.values()) {
      // A memory stall is exactly the span of a reclaim burst, or a sleep on a refault.
      if (t.inMemstall !== ((t.burst !== null && t.burst.memstall) || t.memstallSleep)) bad(`pid ${t.pid}: in_memstall ${t.inMemstall} outside a reclaim burst or refault, or missing in one`);
      if (t.memstallSleep && t.onRq !== 0 && !t.se.schedDelayed) bad(`pid ${t.pid}: runnable while its refault sleep is still a memory stall`);
      if (t.inMemstall && t.exitState === 0) {
        this.memstallByCpu[t.cpu] = (this.memstallByCpu[t.cpu] ?? 0) + 1;
        if (t.onRq !== 0 && !t.se.schedDelayed) this.memstallRunningByCpu[t.cpu] = (this.memstallRunningByCpu[t.cpu] ?? 0) + 1;
      }
    }
    for (const rq of k.rqs) this.checkRq(rq, bad);
    const seenCurr = new Set<Task>();
    for (const rq of k.rqs) {
      if (rq.curr.cpu !== rq.cpu) bad(`cpu${rq.cpu}: curr pid ${rq.curr.pid} has task_cpu ${rq.curr.cpu}`);
      if (!rq.curr.onCpu) bad(`cpu${rq.cpu}: curr pid ${rq.curr.pid} not marked on_cpu`);
      if (rq.curr !== rq.idle && rq.curr.onRq === 0) bad(`cpu${rq.cpu}: curr pid ${rq.curr.pid} is not on a runqueue`);
      seenCurr.add(rq.curr);
    }
    let nrUnint = 0;
    let countedUnint = 0;
    for (const t of k.tasks.values()) {
      if (t.onCpu && !seenCurr.has(t)) bad(`pid ${t.pid} on_cpu but no CPU runs it`);
      // __set_task_cpu() sets both: a wakeup searches from where the task is.
      if (t.wakeCpu !== t.cpu) bad(`pid ${t.pid}: wake_cpu ${t.wakeCpu} but task_cpu ${t.cpu}`);
      this.checkTaskQueued(t, bad);
      if (t.onRq === 0 && t.contributesToLoad) nrUnint++;
      if ((t.state & TASK_UNINTERRUPTIBLE) !== 0 && (t.state & TASK_NOLOAD) === 0 && t.onRq === 0 && t.exitState === 0) countedUnint++;
      let byCpu = 0;
      for (const [, ns] of t.cpuTimes()) byCpu += ns;
      if (byCpu !== t.sumExecRuntimeNs) bad(`pid ${t.pid}: per-CPU time ${byCpu} != sum_exec_runtime ${t.sumExecRuntimeNs}`);
    }
    let rqUnint = 0;
    for (const rq of k.rqs) rqUnint += rq.nrUninterruptible;
    if (rqUnint !== nrUnint) bad(`sum of nr_uninterruptible ${rqUnint} != ${nrUnint} tasks in D state`);
    if (countedUnint !== nrUnint) bad(`${countedUnint} tasks sleep in D but ${nrUnint} count toward the load`);
    this.checkTime(bad);
    return problems;
  }

  private checkRq(rq: Rq, bad: (s: string) => void): void {
    const c = rq.cfs;
    const stop = rq.stop !== null && rq.stop.onRq !== 0 ? 1 : 0;
    const sum = stop + rq.dl.dlNrRunning + rq.rt.rtNrRunning + c.nrQueued;
    if (rq.nrRunning !== sum) bad(`cpu${rq.cpu}: nr_running ${rq.nrRunning} != stop ${stop} + dl ${rq.dl.dlNrRunning} + rt ${rq.rt.rtNrRunning} + fair ${c.nrQueued}`);
    const treeErr = c.verify();
    if (treeErr !== null) bad(`cpu${rq.cpu} cfs: ${treeErr}`);
    const expectCurr = rq.curr.schedClass === this.k.classes.fair ? rq.curr.se : null;
    if (c.curr !== expectCurr) bad(`cpu${rq.cpu}: cfs_rq->curr is ${c.curr?.task.pid ?? 'none'} but rq->curr is ${rq.curr.pid} (${rq.curr.schedClass.name})`);
    const treeCount = c.tree.size + (c.curr !== null && c.curr.onRq ? 1 : 0);
    if (treeCount !== c.nrQueued) bad(`cpu${rq.cpu}: ${treeCount} fair entities queued but nr_queued ${c.nrQueued}`);
    let load = 0;
    c.tree.forEach((se) => {
      load += se.load.weight;
      if (se.task.cpu !== rq.cpu) bad(`pid ${se.task.pid} in cpu${rq.cpu}'s tree has task_cpu ${se.task.cpu}`);
    });
    if (c.curr !== null && c.curr.onRq) load += c.curr.load.weight;
    if (load !== c.loadWeight) bad(`cpu${rq.cpu}: cfs load ${c.loadWeight} != ${load}`);
    const last = this.lastMinV.get(rq.cpu);
    if (last !== undefined && c.minVruntime < last) bad(`cpu${rq.cpu}: min_vruntime went back from ${last} to ${c.minVruntime}`);
    this.lastMinV.set(rq.cpu, c.minVruntime);
    const rtErr = rq.rt.verify();
    if (rtErr !== null) bad(`cpu${rq.cpu} rt: ${rtErr}`);
    let rtCount = 0;
    for (const e of rq.rt.entities()) {
      rtCount++;
      if (e.task.cpu !== rq.cpu) bad(`rt pid ${e.task.pid} queued on cpu${rq.cpu} has task_cpu ${e.task.cpu}`);
    }
    if (rtCount !== rq.rt.rtNrRunning) bad(`cpu${rq.cpu}: ${rtCount} RT tasks listed but rt_nr_running ${rq.rt.rtNrRunning}`);
    const dlErr = rq.dl.tree.verify();
    if (dlErr !== null) bad(`cpu${rq.cpu} dl: ${dlErr}`);
    let dlTasks = 0;
    rq.dl.tree.forEach((d) => {
      if (d.task !== null) dlTasks++;
    });
    if (dlTasks !== rq.dl.dlNrRunning) bad(`cpu${rq.cpu}: ${dlTasks} DL tasks in the tree but dl_nr_running ${rq.dl.dlNrRunning}`);
    // Pressure: the recorded state is what the counters say (no change went unrecorded); the memstall counts
    // are this CPU's tasks in a memory stall (runnable or asleep here) and the runnable ones among them.
    const mask = psiStateMask(rq);
    if (rq.psiMask !== mask) bad(`cpu${rq.cpu}: psi state ${rq.psiMask.toString(2)} but the counters say ${mask.toString(2)}`);
    const memstall = this.memstallByCpu[rq.cpu] ?? 0;
    if (memstall !== rq.psiNrMemstall) bad(`cpu${rq.cpu}: ${memstall} tasks in a memstall but psi counts ${rq.psiNrMemstall}`);
    const running = this.memstallRunningByCpu[rq.cpu] ?? 0;
    if (running !== rq.psiNrMemstallRunning) bad(`cpu${rq.cpu}: ${running} runnable tasks in a memstall but psi counts ${rq.psiNrMemstallRunning}`);
  }

  /** A task is in exactly the structures its state says, on its own CPU. */
  private checkTaskQueued(t: Task, bad: (s: string) => void): void {
    const rq = this.k.rqs[t.cpu] as Rq;
    const inFair = t.se.rbOnTree || rq.cfs.curr === t.se;
    const inRt = t.rtIfAny?.onList === true;
    const inDl = t.dlIfAny?.rbOnTree === true;
    const inStop = rq.stop === t && t.onRq !== 0;
    const n = (inFair ? 1 : 0) + (inRt ? 1 : 0) + (inDl ? 1 : 0) + (inStop ? 1 : 0);
    if (t.onRq === 0) {
      if (t.se.onRq || inRt || inDl || t.se.rbOnTree) bad(`pid ${t.pid} is not on a runqueue but is still queued in a class`);
      return;
    }
    // Queued: exactly one class structure, the one of its class; a throttled DL task is off its tree.
    const throttled = t.schedClass === this.k.classes.dl && t.dlIfAny?.throttled === true;
    if (throttled) {
      if (n !== 0) bad(`throttled DL pid ${t.pid} is still queued`);
      return;
    }
    if (n !== 1) bad(`runnable pid ${t.pid} is queued ${n} times (fair ${inFair} rt ${inRt} dl ${inDl} stop ${inStop})`);
    const cls = t.schedClass.name;
    if ((cls === 'fair' && !inFair) || (cls === 'rt' && !inRt) || (cls === 'dl' && !inDl) || (cls === 'stop' && !inStop)) {
      bad(`pid ${t.pid} (${cls}) is queued in another class's structure`);
    }
  }

  /** Tasks' CPU time plus the not-yet-charged time of running tasks equals the CPUs' busy time. */
  private checkTime(bad: (s: string) => void): void {
    const k = this.k;
    let tasks = 0;
    for (const t of k.tasks.values()) tasks += t.sumExecRuntimeNs;
    for (const t of k.exited) tasks += t.sumExecRuntimeNs;
    tasks += k.exitedDroppedCpuNs;
    let busy = 0;
    let all = 0;
    for (const rq of k.rqs) {
      accountRq(k, rq);
      const b = rq.busyNsByClass;
      busy += (b[0] as number) + (b[1] as number) + (b[2] as number) + (b[3] as number);
      for (const v of b) all += v;
      if (rq.curr !== rq.idle) tasks += k.now - rq.curr.se.execStartNs;
    }
    if (all !== k.nrCpus * k.now) bad(`busy + idle = ${all} != ${k.nrCpus} CPUs x ${k.now}`);
    if (tasks !== busy) bad(`tasks' CPU time ${tasks} != busy time ${busy}`);
  }
}
