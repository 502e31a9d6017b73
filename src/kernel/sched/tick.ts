/**
 * The periodic scheduler tick (sched_tick) at HZ, stopped on idle CPUs (NO_HZ_IDLE) and restarted on the
 * jiffies grid when they get work; and per-CPU time accounting for /proc/stat and the per-class busy times.
 */
import { EventPrio, isArmed, type Timer } from '../core/engine.js';
import type { Kernel } from '../kernel.js';
import { preemptionPoint } from './core.js';
import type { Rq } from './rq.js';

/** Charge the time since the last accounting point to rq.curr's class and /proc/stat category. */
export function accountRq(k: Kernel, rq: Rq): void {
  const d = k.now - rq.accountedNs;
  if (d <= 0) return;
  rq.accountedNs = k.now;
  const c = rq.curr;
  const r = c.schedClass.rank;
  rq.busyNsByClass[r] = (rq.busyNsByClass[r] as number) + d;
  const st = rq.cpustat;
  if (c === rq.idle) {
    if (rq.nrIowait > 0) st.iowait += d;
    else st.idle += d;
  } else if (c.isKthread || (c.burst !== null && c.burst.kernel)) {
    st.system += d;
  } else if (c.nice > 0) {
    st.nice += d;
  } else {
    st.user += d;
  }
}

export function startTick(k: Kernel, rq: Rq): void {
  if (isArmed(rq.tickTimer)) return;
  const t = k.tickNs;
  const next = Math.floor(k.now / t) * t + t;
  rq.tickTimer ??= newTickTimer(k, rq);
  k.engine.start(rq.tickTimer, next);
}

/** Made by a function of its own: a closure inside startTick would cost every call a context object. */
function newTickTimer(k: Kernel, rq: Rq): Timer {
  return k.cpuTimer(rq.cpu, 'tick', EventPrio.Normal, () => schedTick(k, rq));
}

export function stopTick(k: Kernel, rq: Rq): void {
  k.engine.cancel(rq.tickTimer);
}

/** sched_tick(): the class tick for curr, periodic balancing, and a preemption point on irq exit. */
function schedTick(k: Kernel, rq: Rq): void {
  // The next tick is armed first, as tick_sched_timer() forwards the hrtimer before handling the tick.
  k.engine.start(rq.tickTimer as Timer, k.now + k.tickNs);
  rq.apicTimerIrqs++;
  const curr = rq.curr;
  curr.schedClass.taskTick(rq, curr, false);
  k.balancer.tick(rq);
  preemptionPoint(k, rq, 'tick');
}
