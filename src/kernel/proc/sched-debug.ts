/**
 * /proc/sched_debug (kernel/sched/debug.c of 6.17; the CFS-era header when in CFS mode), /proc/PID/sched and
 * /sys/kernel/debug/sched/features. Every number comes from the runqueues and tasks.
 */
import type { Kernel } from '../kernel.js';
import type { Rq } from '../sched/rq.js';
import { taskStateLetter, type Task } from '../task/task.js';
import { padL, padR, splitNs } from './fmt.js';

const CPU_MHZ = '2400.000';

export function schedFeaturesMask(k: Kernel): number {
  let mask = 0;
  Object.keys(k.tunables.features).forEach((name, i) => {
    if (k.tunables.features[name]) mask += 2 ** i;
  });
  return mask;
}

/** /sys/kernel/debug/sched/features: "PLACE_LAG NO_NEXT_BUDDY ..." */
export function renderSchedFeatures(k: Kernel): string {
  return `${Object.entries(k.tunables.features)
    .map(([n, on]) => (on ? n : `NO_${n}`))
    .join(' ')} \n`;
}

function header(k: Kernel): string[] {
  const t = k.tunables;
  const now = k.now;
  const out = [
    `Sched Debug Version: v0.11, ${k.config.release} #1`,
    `${padR('ktime', 40)}: ${splitNs(now)}`,
    `${padR('sched_clk', 40)}: ${splitNs(now)}`,
    `${padR('cpu_clk', 40)}: ${splitNs(now)}`,
    `${padR('jiffies', 40)}: ${k.jiffies}`,
    '',
    'sysctl_sched',
  ];
  const p = (n: string, v: string): void => {
    out.push(`  .${padR(n, 40)}: ${v}`);
  };
  if (t.mode === 'eevdf') {
    p('sysctl_sched_base_slice', splitNs(t.baseSliceNs));
  } else {
    p('sysctl_sched_latency', splitNs(t.latencyNs));
    p('sysctl_sched_min_granularity', splitNs(t.minGranNs));
    p('sysctl_sched_wakeup_granularity', splitNs(t.wakeupGranNs));
    p('sysctl_sched_child_runs_first', String(k.sysctl.schedChildRunsFirst));
  }
  p('sysctl_sched_features', String(schedFeaturesMask(k)));
  p('sysctl_sched_tunable_scaling', `${t.tunableScaling} (${['none', 'logarithmic', 'linear'][t.tunableScaling]})`);
  out.push('');
  return out;
}

function cfsRqLines(k: Kernel, rq: Rq): string[] {
  const cfs = rq.cfs;
  const root = cfs.tree.root;
  const first = cfs.tree.leftmost;
  const last = cfs.tree.last();
  const leftV = root !== null ? root.minVruntime : -1;
  const leftD = first !== null ? first.deadline : -1;
  const rightV = last !== null ? last.vruntime : -1;
  const p = (n: string, v: string | number): string => `  .${padR(n, 30)}: ${v}`;
  const out = ['', `cfs_rq[${rq.cpu}]:`];
  if (k.tunables.mode === 'eevdf') {
    out.push(p('left_deadline', splitNs(leftD)), p('left_vruntime', splitNs(leftV)));
  } else {
    out.push(p('exec_clock', splitNs(0)), p('MIN_vruntime', splitNs(first !== null ? first.vruntime : -1)));
  }
  out.push(p('min_vruntime', splitNs(cfs.minVruntime)));
  if (k.tunables.mode === 'eevdf') out.push(p('avg_vruntime', splitNs(cfs.avgVruntime())), p('right_vruntime', splitNs(rightV)));
  else out.push(p('max_vruntime', splitNs(rightV)));
  out.push(
    p('spread', splitNs(rightV - leftV)),
    p('nr_queued', cfs.nrQueued),
    p('h_nr_runnable', cfs.hNrRunnable),
    p('h_nr_queued', cfs.nrQueued),
    p('h_nr_idle', rq.cfsNrIdle),
    p('load', cfs.loadWeight * 1024),
    p('load_avg', cfs.loadWeight),
    p('runnable_avg', cfs.hNrRunnable > 0 ? 1024 : 0),
    p('util_avg', rq.isIdle ? 0 : 1024),
    p('util_est', 0),
    p('removed.load_avg', 0),
    p('removed.util_avg', 0),
    p('removed.runnable_avg', 0),
  );
  return out;
}

function rtDlLines(k: Kernel, rq: Rq): string[] {
  const p = (n: string, v: string | number): string => `  .${padR(n, 30)}: ${v}`;
  const out = ['', `rt_rq[${rq.cpu}]:`, p('rt_nr_running', rq.rt.rtNrRunning)];
  if (k.tunables.rtStarvation === 'throttle') {
    // RUNTIME_INF is U64_MAX, which %Ld prints as -1 ns.
    const runtimeNs = k.sysctl.rtRuntimeUs < 0 ? -1 : k.sysctl.rtRuntimeUs * 1000;
    out.push(p('rt_throttled', rq.rt.rtThrottled ? 1 : 0), p('rt_time', splitNs(rq.rt.rtTimeNs)), p('rt_runtime', splitNs(runtimeNs)));
  }
  out.push('', `dl_rq[${rq.cpu}]:`, p('dl_nr_running', rq.dl.dlNrRunning), p('dl_bw->bw', k.classes.dl.bwLimit()), p('dl_bw->total_bw', k.classes.dl.totalBw));
  return out;
}

/** print_task(): one row of "runnable tasks:" (all tasks whose task_cpu is this CPU, as 6.x prints). */
function taskRow(k: Kernel, rq: Rq, t: Task): string {
  const se = t.se;
  const state = rq.curr === t ? '>R' : ` ${taskStateLetter(t)}`;
  if (k.tunables.mode === 'cfs') {
    return `${state} ${padL(t.comm, 15)} ${padL(t.pid, 5)} ${splitNs(se.vruntime, 9)} ${padL(t.nvcsw + t.nivcsw, 9)}   ${padL(t.prio, 5)} ${splitNs(t.stats.waitSumNs, 9)} ${splitNs(t.sumExecRuntimeNs, 9)} ${splitNs(t.stats.sumSleepRuntimeNs, 9)}`;
  }
  const eligible = rq.cfs.entityEligible(se) ? 'E' : 'N';
  return (
    `${state} ${padL(t.comm, 15)} ${padL(t.pid, 5)} ${splitNs(se.vruntime, 9)}   ${eligible}   ${splitNs(se.deadline, 9)} ${se.customSlice ? 'S' : ' '} ` +
    `${splitNs(se.sliceNs, 9)} ${splitNs(t.sumExecRuntimeNs, 9)} ${padL(t.nvcsw + t.nivcsw, 9)}   ${padL(t.prio, 5)} ` +
    `${splitNs(t.stats.waitSumNs, 9)} ${splitNs(t.stats.sumSleepRuntimeNs, 9)} ${splitNs(t.stats.sumBlockRuntimeNs, 9)}`
  );
}

function runnableTasks(k: Kernel, rq: Rq): string[] {
  const out = ['', 'runnable tasks:'];
  if (k.tunables.mode === 'cfs') {
    out.push(' S            task   PID         tree-key  switches  prio     wait-time             sum-exec        sum-sleep');
    out.push('-'.repeat(110));
  } else {
    out.push(
      ' S            task   PID       vruntime   eligible    deadline             slice          sum-exec      switches  prio         wait-time        sum-sleep       sum-block',
    );
    out.push('-'.repeat(163));
  }
  const tasks = [...k.tasks.values()].filter((t) => t.cpu === rq.cpu).sort((a, b) => a.pid - b.pid);
  for (const t of tasks) out.push(taskRow(k, rq, t));
  return out;
}

function cpuLines(k: Kernel, rq: Rq): string[] {
  const p = (n: string, v: string | number): string => `  .${padR(n, 30)}: ${v}`;
  return [
    `cpu#${rq.cpu}, ${CPU_MHZ} MHz`,
    p('nr_running', rq.nrRunning),
    p('nr_switches', rq.nrSwitches),
    p('nr_uninterruptible', rq.nrUninterruptible),
    p('next_balance', splitNs(rq.nextBalanceNs)),
    p('curr->pid', rq.curr.pid),
    p('clock', splitNs(k.now)),
    p('clock_task', splitNs(k.now)),
    p('avg_idle', rq.avgIdleNs),
    p('max_idle_balance_cost', 500000),
    p('yld_count', rq.yldCount),
    p('sched_count', rq.schedCount),
    p('sched_goidle', rq.schedGoidle),
    p('ttwu_count', rq.ttwuCount),
    p('ttwu_local', rq.ttwuLocal),
    ...cfsRqLines(k, rq),
    ...rtDlLines(k, rq),
    ...runnableTasks(k, rq),
    '',
  ];
}

export function renderSchedDebug(k: Kernel): string {
  const lines = header(k);
  for (const rq of k.rqs) if (rq.online) lines.push(...cpuLines(k, rq));
  return `${lines.join('\n')}\n`;
}

/** /proc/PID/sched (proc_sched_show_task). */
export function renderPidSched(k: Kernel, t: Task): string {
  const PS = (n: string, v: number): string => `${padR(n, 45)}:${padL(v, 21)}`;
  const PSN = (n: string, v: number): string => `${padR(n, 45)}:${splitNs(v, 14)}`;
  const s = t.stats;
  const nrSwitches = t.nvcsw + t.nivcsw;
  const threads = [...k.tasks.values()].filter((x) => x.tgid === t.tgid && x.exitState === 0).length;
  const lines = [
    `${t.comm} (${t.pid}, #threads: ${Math.max(1, threads)})`,
    '-'.repeat(67),
    PSN('se.exec_start', t.se.execStartNs),
    PSN('se.vruntime', t.se.vruntime),
    PSN('se.sum_exec_runtime', t.sumExecRuntimeNs),
    PS('se.nr_migrations', t.se.nrMigrations),
    PSN('sum_sleep_runtime', s.sumSleepRuntimeNs),
    PSN('sum_block_runtime', s.sumBlockRuntimeNs),
    // wait_start: when the current wait on the runqueue began (sched_info's last_queued), 0 when not waiting.
    PSN('wait_start', t.lastQueuedNs >= 0 ? t.lastQueuedNs : 0),
    PSN('sleep_start', s.sleepStartNs),
    PSN('block_start', s.blockStartNs),
    PSN('sleep_max', s.sleepMaxNs),
    PSN('block_max', s.blockMaxNs),
    PSN('exec_max', s.execMaxNs),
    // Not modelled (no slice_max accounting, WF_SYNC wakeups, wake_affine, cache-cold migrations): 0, as below.
    PSN('slice_max', 0),
    PSN('wait_max', s.waitMaxNs),
    PSN('wait_sum', s.waitSumNs),
    PS('wait_count', s.waitCount),
    PSN('iowait_sum', s.iowaitSumNs),
    PS('iowait_count', s.iowaitCount),
    PS('nr_migrations_cold', 0),
    PS('nr_failed_migrations_affine', s.nrFailedMigrationsAffine),
    PS('nr_failed_migrations_running', s.nrFailedMigrationsRunning),
    PS('nr_failed_migrations_hot', s.nrFailedMigrationsHot),
    PS('nr_forced_migrations', s.nrForcedMigrations),
    PS('nr_wakeups', s.nrWakeups),
    PS('nr_wakeups_sync', 0),
    PS('nr_wakeups_migrate', s.nrWakeupsMigrate),
    PS('nr_wakeups_local', s.nrWakeupsLocal),
    PS('nr_wakeups_remote', s.nrWakeupsRemote),
    PS('nr_wakeups_affine', 0),
    PS('nr_wakeups_affine_attempts', 0),
    PS('nr_wakeups_passive', 0),
    PS('nr_wakeups_idle', s.nrWakeupsIdle),
    PSN('avg_atom', nrSwitches > 0 ? Math.floor(t.sumExecRuntimeNs / nrSwitches) : -1),
    PSN('avg_per_cpu', t.se.nrMigrations > 0 ? Math.floor(t.sumExecRuntimeNs / t.se.nrMigrations) : -1),
    PS('nr_switches', nrSwitches),
    PS('nr_voluntary_switches', t.nvcsw),
    PS('nr_involuntary_switches', t.nivcsw),
    PS('se.load.weight', t.se.load.weight * 1024),
    PS('se.avg.load_sum', 0),
    PS('se.avg.runnable_sum', 0),
    PS('se.avg.util_sum', 0),
    PS('se.avg.load_avg', t.onRq ? t.se.load.weight : 0),
    PS('se.avg.runnable_avg', t.onRq ? 1024 : 0),
    PS('se.avg.util_avg', t.onCpu ? 1024 : 0),
    PS('se.avg.last_update_time', k.now),
    PS('se.avg.util_est', 0),
    PS('policy', t.policy),
    PS('prio', t.prio),
  ];
  if (t.policy === 6) lines.push(PS('dl.runtime', t.dl.runtimeNs), PS('dl.deadline', t.dl.deadlineNs));
  else if (t.policy === 0 || t.policy === 3 || t.policy === 5) lines.push(PS('se.slice', t.se.sliceNs));
  lines.push(PS('clock-delta', 28));
  return `${lines.join('\n')}\n`;
}
