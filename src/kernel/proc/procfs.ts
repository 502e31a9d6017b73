/**
 * The simulated /proc and /sys: one table of files, each a renderer over kernel state and, for writable ones,
 * a handler that validates like the kernel. Reads return the text; failures return an errno name, which the
 * shell turns into the real tools' messages ("No such file or directory", "Permission denied", ...).
 */
import type { Kernel } from '../kernel.js';
import { PREEMPT_MODELS, updateScaling, type SchedTunables } from '../sched/features.js';
import { CpuMask } from '../sched/topology.js';
import { parseKstrtoull } from './fmt.js';
import { resetSchedStats, type Task } from '../task/task.js';
import { devKmsgLine, procKmsgLines } from '../printk/readers.js';
import { fullCmdline } from '../printk/boot-log.js';
import { writeSysrqTrigger } from '../sysrq/sysrq.js';
import { procPidStack, procPidWchan } from '../sysrq/show.js';
import { pidCmdline, renderPidLimits, renderPidSchedstat, renderPidStat, renderPidStatm, renderPidStatus } from './pid.js';
import { renderPidSched, renderSchedDebug, renderSchedFeatures } from './sched-debug.js';
import { buildSysctlTable, pathToSysctlName, sysctlNameToPath, type SysctlEntry } from './sysctl-table.js';
import { renderCpuinfo, renderLoadavg, renderSchedstat, renderStat, renderUptime, renderVersion } from './system.js';
import { renderInterrupts } from './interrupts.js';
import { MapsLayout } from './task-mmu.js';
import type { Mm } from '../mm/mm-struct.js';
import { SCHED_TRACE_EVENTS } from '../trace/tracefs.js';

export type ProcResult = { ok: true; text: string } | { ok: false; errno: string };

export interface ProcFile {
  read?: (k: Kernel) => string;
  /** truncate: the file was opened with O_TRUNC (the shell's `>`, not `>>`), which some files act on. */
  write?: (k: Kernel, data: string, truncate: boolean) => string | null;
  /** Exists but has no read handler (reading gives EIO, like /proc/sysrq-trigger). */
  noRead?: boolean;
}

export interface PidFile {
  read?: (k: Kernel, t: Task) => string;
  write?: (k: Kernel, t: Task, data: string) => string | null;
}

const ok = (text: string): ProcResult => ({ ok: true, text });
const err = (errno: string): ProcResult => ({ ok: false, errno });

/** oom_score_adj <-> legacy oom_adj conversions (fs/proc/base.c). */
export function oomAdjFromScoreAdj(adj: number): number {
  if (adj === 1000) return 15;
  return Math.trunc((adj * 17) / 1000);
}

export function oomScoreAdjFromOomAdj(adj: number): number {
  if (adj === 15) return 1000;
  return Math.trunc((adj * 1000) / 17);
}

function parseIntStrict(data: string): number | null {
  const s = data.trim();
  if (!/^[-+]?\d+$/.test(s)) return null;
  const v = Number(s);
  return Number.isSafeInteger(v) ? v : null;
}

export class ProcFs {
  private readonly files = new Map<string, ProcFile>();
  private readonly pidFiles = new Map<string, PidFile>();
  readonly sysctl: Map<string, SysctlEntry>;

  /** Where each process's mappings are, once shown (/proc/PID/maps). */
  readonly maps: MapsLayout;

  constructor(private readonly k: Kernel) {
    this.maps = new MapsLayout(k.config.seed);
    this.sysctl = buildSysctlTable();
    this.registerCore();
  }

  register(path: string, f: ProcFile): void {
    this.files.set(path, f);
  }

  registerPid(name: string, f: PidFile): void {
    this.pidFiles.set(name, f);
  }

  private registerCore(): void {
    const r = (path: string, read: (k: Kernel) => string): void => this.register(path, { read });
    r('/proc/loadavg', renderLoadavg);
    r('/proc/stat', renderStat);
    r('/proc/schedstat', renderSchedstat);
    r('/proc/uptime', renderUptime);
    r('/proc/version', renderVersion);
    r('/proc/cmdline', (k) => `${fullCmdline(k.config)}\n`);
    r('/proc/cpuinfo', renderCpuinfo);
    r('/proc/interrupts', renderInterrupts);
    // Since 5.13 the kernel has it only in debugfs (sched/debug); /proc/sched_debug stays, where older kernels
    // and most tutorials read it.
    r('/proc/sched_debug', renderSchedDebug);
    r('/sys/kernel/debug/sched/debug', renderSchedDebug);
    for (const res of ['cpu', 'io', 'memory'] as const) r(`/proc/pressure/${res}`, (k) => k.psi.show(k.rqs, k.now, res));
    // drivers/base/cpu.c: the CPU masks as lists ("0-7"); no hotplug, so every possible CPU is present and online.
    const cpuList = (k: Kernel, which: (rq: Kernel['rqs'][number]) => boolean): string => `${new CpuMask(k.nrCpus, k.rqs.filter(which).map((rq) => rq.cpu)).toList()}\n`;
    r('/sys/devices/system/cpu/online', (k) => cpuList(k, (rq) => rq.online));
    r('/sys/devices/system/cpu/offline', (k) => cpuList(k, (rq) => !rq.online));
    for (const name of ['possible', 'present']) r(`/sys/devices/system/cpu/${name}`, (k) => cpuList(k, () => true));
    // NR_CPUS - 1 of the distribution configuration the boot log names (NR_CPUS:8192).
    r('/sys/devices/system/cpu/kernel_max', () => '8191\n');
    // The scheduler's debugfs knobs are writable by root, as in the kernel, and act at once: the classes read
    // them on every use. A u32 file takes what kstrtoull takes and keeps the low 32 bits (debugfs_u32_set).
    const u32 = (path: string, get: (t: SchedTunables) => number, set: (t: SchedTunables, v: number) => void): void =>
      this.register(path, {
        read: (k) => `${get(k.tunables)}\n`,
        write: (k, data) => {
          const v = parseKstrtoull(data);
          if (typeof v === 'string') return v;
          set(k.tunables, Number(v % 2n ** 32n));
          return null;
        },
      });
    this.register('/sys/kernel/debug/sched/features', {
      read: renderSchedFeatures,
      write: (k, data) => {
        // sched_feat_write(): one name, NO_ in front to clear it.
        const cmp = data.trim();
        const neg = cmp.startsWith('NO_');
        const name = neg ? cmp.slice(3) : cmp;
        if (!Object.hasOwn(k.tunables.features, name)) return 'EINVAL';
        k.tunables.features[name] = !neg;
        return null;
      },
    });
    if (this.k.tunables.mode === 'eevdf') u32('/sys/kernel/debug/sched/base_slice_ns', (t) => t.baseSliceNs, (t, v) => (t.baseSliceNs = v));
    u32('/sys/kernel/debug/sched/migration_cost_ns', (t) => t.migrationCostNs, (t, v) => (t.migrationCostNs = v));
    u32('/sys/kernel/debug/sched/nr_migrate', (t) => t.nrMigrate, (t, v) => (t.nrMigrate = v));
    this.register('/sys/kernel/debug/sched/tunable_scaling', {
      read: (k) => `${k.tunables.tunableScaling}\n`,
      write: (k, data) => {
        // sched_scaling_write(): 0 none, 1 log, 2 linear; sched_update_scaling() re-derives the normalized values.
        const v = parseKstrtoull(data);
        if (typeof v === 'string') return v;
        if (v > 2n) return 'EINVAL';
        k.tunables.tunableScaling = Number(v) as 0 | 1 | 2;
        updateScaling(k.tunables, k.rqs.filter((rq) => rq.online).length);
        return null;
      },
    });
    this.register('/sys/kernel/debug/sched/preempt', {
      read: (k) => `${PREEMPT_MODELS.map((m) => (m === k.tunables.preempt ? `(${m})` : m)).join(' ')}\n`,
      write: (k, data) => {
        // sched_dynamic_write(): PREEMPT_DYNAMIC switches the model of the running kernel.
        const m = PREEMPT_MODELS.find((x) => x === data.trim());
        if (m === undefined) return 'EINVAL';
        k.tunables.preempt = m;
        return null;
      },
    });
    if (this.k.tunables.mode === 'cfs') {
      // Plain u32s up to 6.5: sched_nr_latency follows them only at the next tunable_scaling write.
      u32('/sys/kernel/debug/sched/latency_ns', (t) => t.latencyNs, (t, v) => (t.latencyNs = v));
      u32('/sys/kernel/debug/sched/min_granularity_ns', (t) => t.minGranNs, (t, v) => (t.minGranNs = v));
      u32('/sys/kernel/debug/sched/wakeup_granularity_ns', (t) => t.wakeupGranNs, (t, v) => (t.wakeupGranNs = v));
    }
    this.registerTracefs('/sys/kernel/tracing');
    this.registerTracefs('/sys/kernel/debug/tracing');
    this.register('/proc/sysrq-trigger', {
      noRead: true,
      write: (k, data) => {
        writeSysrqTrigger(k, data);
        return null;
      },
    });
    // The bit bucket: `cmd > /dev/null` keeps only a command's errors.
    this.register('/dev/null', { read: () => '', write: () => null });
    this.register('/dev/kmsg', {
      read: (k) =>
        k.printkRing
          .all()
          .map((r) => devKmsgLine(r, k.printkRing.callerInfo))
          .join(''),
      write: (k, data) => {
        // devkmsg_write(): "<N>" sets facility and level; user space defaults to LOG_USER.
        const m = /^<(\d+)>/.exec(data);
        let level = k.printkRing.settings.defaultMessageLoglevel;
        let facility = 1;
        let text = data;
        if (m) {
          const v = Number(m[1]);
          level = v & 7;
          if (v >> 3 !== 0) facility = v >> 3;
          text = data.slice(m[0].length);
        }
        k.printk(level, text.replace(/\n$/, ''), { facility, pid: k.caller.pid });
        return null;
      },
    });
    this.register('/proc/kmsg', {
      read: (k) => {
        const ring = k.printkRing;
        const recs = ring.since(Math.max(ring.syslogSeq, ring.firstSeq()));
        ring.syslogSeq = ring.nextSeq;
        return recs.map(procKmsgLines).join('');
      },
    });
    this.register('/sys/module/printk/parameters/ignore_loglevel', {
      read: (k) => `${k.printkRing.ignoreLoglevel ? 'Y' : 'N'}\n`,
      write: (k, data) => {
        const v = data.trim();
        if (/^(y|Y|1|on)$/.test(v)) k.printkRing.ignoreLoglevel = true;
        else if (/^(n|N|0|off)$/.test(v)) k.printkRing.ignoreLoglevel = false;
        else return 'EINVAL';
        return null;
      },
    });
    this.register('/sys/module/printk/parameters/time', { read: () => 'Y\n' });
    this.register('/sys/module/printk/parameters/console_suspend', { read: () => 'Y\n' });
    const pr = (name: string, f: PidFile): void => this.registerPid(name, f);
    pr('stat', { read: (k, t) => renderPidStat(k, t, this.maps, pidCmdline(t)) });
    pr('statm', { read: renderPidStatm });
    pr('limits', { read: (k) => renderPidLimits(k) });
    pr('status', { read: renderPidStatus });
    pr('sched', {
      read: renderPidSched,
      // proc_sched_set_task(): any write zeroes the task's schedstats (the sched_info run delay is apart). The
      // kernel's memset also clears wait_start, so a task waiting at that moment books its whole uptime as one
      // wait; here its current wait keeps its start and counts from there.
      write: (_k, t) => {
        resetSchedStats(t.stats);
        return null;
      },
    });
    pr('schedstat', { read: (_k, t) => renderPidSchedstat(t) });
    // Kernel threads have no mm: their maps file is empty, as in the kernel.
    pr('maps', { read: (_k, t) => (t.mm === null ? '' : this.maps.render(t.mm as Mm, t.tgid)) });
    pr('smaps', { read: (k, t) => (t.mm === null ? '' : this.maps.renderSmaps(t.mm as Mm, t.tgid, k.mm.files)) });
    pr('smaps_rollup', { read: (k, t) => (t.mm === null ? '' : this.maps.renderSmapsRollup(t.mm as Mm, t.tgid, k.mm.files)) });
    pr('stack', { read: procPidStack });
    pr('wchan', { read: procPidWchan });
    pr('comm', {
      read: (_k, t) => `${t.comm}\n`,
      write: (_k, t, data) => {
        t.comm = data.replace(/\n$/, '').slice(0, 15);
        return null;
      },
    });
    pr('cmdline', { read: (_k, t) => pidCmdline(t) });
    pr('oom_score', { read: (k, t) => `${k.mm.oomScore(t)}\n` });
    pr('oom_score_adj', {
      read: (_k, t) => `${t.oomScoreAdj}\n`,
      write: (_k, t, data) => {
        const v = parseIntStrict(data);
        if (v === null || v < -1000 || v > 1000) return 'EINVAL';
        t.oomScoreAdj = v;
        return null;
      },
    });
    pr('oom_adj', {
      read: (_k, t) => `${oomAdjFromScoreAdj(t.oomScoreAdj)}\n`,
      write: (_k, t, data) => {
        const v = parseIntStrict(data);
        if (v === null || v < -17 || v > 15) return 'EINVAL';
        t.oomScoreAdj = oomScoreAdjFromOomAdj(v);
        return null;
      },
    });
  }

  private taskFor(pidText: string): Task | null {
    if (!/^\d+$/.test(pidText)) return null;
    const t = this.k.tasks.get(Number(pidText));
    return t === undefined ? null : t;
  }

  /** Normalise absolute paths: collapse "//" and drop a trailing "/". */
  static normalise(path: string): string {
    let p = path.replace(/\/+/g, '/');
    if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
    return p;
  }

  /**
   * normalise(), and /proc/self is the process reading: the shell (or the task whose "sh" step runs), since a
   * command here runs in it rather than in a child of its own. Outside a command line that is init.
   */
  private resolve(pathIn: string): string {
    let p = ProcFs.normalise(pathIn);
    if (p === '/proc/self' || p.startsWith('/proc/self/')) p = `/proc/${this.k.caller.pid}${p.slice('/proc/self'.length)}`;
    // /proc/PID/task/TID is the thread TID of process PID. Every task here is a single-threaded process (its
    // own thread group), so that directory is /proc/TID itself and holds the same files, as on a real machine
    // for a process with one thread; a TID outside PID's group is not there.
    const m = /^\/proc\/(\d+)\/task\/(\d+)(\/.*)?$/.exec(p);
    if (m) {
      const t = this.taskFor(m[2] as string);
      // A thread's directory has no task/ of its own.
      const rest = m[3] ?? '';
      return t !== null && String(t.tgid) === m[1] && !/^\/task(\/|$)/.test(rest) ? `/proc/${m[2]}${rest}` : `/proc/${m[1]}/task/-`;
    }
    return p;
  }

  /** A thread's directory, /proc/PID/task/TID (before resolve() makes it /proc/TID). */
  private static isThreadDir(pathIn: string): boolean {
    return /^\/proc\/(\d+|self)\/task\/\d+$/.test(ProcFs.normalise(pathIn));
  }

  /** Whether pidText is a process, a thread group's leader (it has a task/ directory). */
  private isProcess(pidText: string): boolean {
    const t = this.taskFor(pidText);
    return t !== null && t.pid === t.tgid;
  }

  /** The tasks of process pidText's thread group: the entries of /proc/PID/task. */
  private threadsOf(pidText: string): Task[] {
    if (!this.isProcess(pidText)) return [];
    const tgid = Number(pidText);
    return [...this.k.tasks.values()].filter((x) => x.tgid === tgid);
  }

  read(pathIn: string): ProcResult {
    const path = this.resolve(pathIn);
    const f = this.files.get(path);
    if (f !== undefined) {
      if (f.read === undefined) return err(f.noRead === true ? 'EIO' : 'EACCES');
      return ok(f.read(this.k));
    }
    const name = pathToSysctlName(path);
    if (name !== null) {
      const e = this.sysctl.get(name);
      if (e !== undefined) return e.writeOnly === true ? err('EACCES') : ok(e.read(this.k));
      if (this.isDir(path)) return err('EISDIR');
      return err('ENOENT');
    }
    const m = /^\/proc\/(\d+)\/([a-z_]+)$/.exec(path);
    if (m) {
      const t = this.taskFor(m[1] as string);
      const pf = this.pidFiles.get(m[2] as string);
      if (t === null || pf === undefined) return err(this.isDir(path) ? 'EISDIR' : 'ENOENT');
      if (pf.read === undefined) return err('EACCES');
      return ok(pf.read(this.k, t));
    }
    if (this.isDir(path)) return err('EISDIR');
    return err('ENOENT');
  }

  write(pathIn: string, data: string, truncate = true): string | null {
    const path = this.resolve(pathIn);
    const f = this.files.get(path);
    if (f !== undefined) return f.write === undefined ? 'EACCES' : f.write(this.k, data, truncate);
    const name = pathToSysctlName(path);
    if (name !== null) {
      const e = this.sysctl.get(name);
      if (e === undefined) return this.isDir(path) ? 'EISDIR' : 'ENOENT';
      return e.write === undefined ? 'EACCES' : e.write(this.k, data);
    }
    const m = /^\/proc\/(\d+)\/([a-z_]+)$/.exec(path);
    if (m) {
      const t = this.taskFor(m[1] as string);
      const pf = this.pidFiles.get(m[2] as string);
      if (t === null || pf === undefined) return this.isDir(path) ? 'EISDIR' : 'ENOENT';
      return pf.write === undefined ? 'EACCES' : pf.write(this.k, t, data);
    }
    return this.isDir(path) ? 'EISDIR' : 'ENOENT';
  }

  exists(pathIn: string): boolean {
    const path = this.resolve(pathIn);
    if (this.files.has(path) || this.isDir(path)) return true;
    const name = pathToSysctlName(path);
    if (name !== null && this.sysctl.has(name)) return true;
    const m = /^\/proc\/(\d+)\/([a-z_]+)$/.exec(path);
    return m !== null && this.taskFor(m[1] as string) !== null && this.pidFiles.has(m[2] as string);
  }

  /** tracefs at root (mounted at /sys/kernel/tracing, and under debugfs as tracing/). */
  private registerTracefs(root: string): void {
    const flag = (data: string): boolean | null => {
      const v = parseKstrtoull(data);
      return typeof v === 'string' || v > 1n ? null : v === 1n;
    };
    this.register(`${root}/tracing_on`, {
      read: (k) => `${k.tracefs.tracingOn ? 1 : 0}\n`,
      write: (k, data) => {
        // rb_simple_write(): any number; non-zero turns the buffer on.
        const v = parseKstrtoull(data);
        if (typeof v === 'string') return v;
        k.tracefs.tracingOn = v !== 0n;
        return null;
      },
    });
    this.register(`${root}/current_tracer`, {
      read: () => 'nop\n',
      write: (_k, data) => (data.trim() === 'nop' ? null : 'EINVAL'),
    });
    this.register(`${root}/available_tracers`, { read: () => 'nop\n' });
    this.register(`${root}/available_events`, { read: () => SCHED_TRACE_EVENTS.map((e) => `sched:${e}\n`).join('') });
    this.register(`${root}/buffer_size_kb`, {
      read: (k) => `${k.tracefs.bufferKb}\n`,
      write: (k, data) => {
        // tracing_entries_write(): kilobytes per CPU, at least 1; resizing empties the buffer here.
        const v = parseKstrtoull(data);
        if (typeof v === 'string') return v;
        if (v === 0n) return 'EINVAL';
        if (v > 65536n) return 'ENOMEM';
        k.tracefs.setBufferKb(Number(v));
        return null;
      },
    });
    this.register(`${root}/buffer_total_size_kb`, { read: (k) => `${k.tracefs.bufferKb * k.nrCpus}\n` });
    this.register(`${root}/trace`, {
      read: (k) => k.tracefs.readTrace(),
      // tracing_open(): opened with O_TRUNC the buffer is emptied, whatever is written; `>>` leaves it.
      write: (k, _data, truncate) => {
        if (truncate) k.tracefs.clear();
        return null;
      },
    });
    this.register(`${root}/set_event`, {
      read: (k) => SCHED_TRACE_EVENTS.filter((e) => k.tracefs.enabled.has(e)).map((e) => `sched:${e}\n`).join(''),
      // ftrace_event_write(): O_TRUNC first disables every event; then each word enables "[sched:]event" (a
      // glob), or disables it with a leading '!'. A word matching nothing fails the write.
      write: (k, data, truncate) => {
        if (truncate) for (const e of SCHED_TRACE_EVENTS) k.tracefs.setEnabled(e, false);
        for (const word of data.split(/\s+/).filter((w) => w !== '')) {
          const off = word.startsWith('!');
          const spec = off ? word.slice(1) : word;
          const [sys, ev] = spec.includes(':') ? (spec.split(':', 2) as [string, string]) : ['*', spec];
          const glob = (g: string, v: string): boolean => new RegExp(`^${(g === '' ? '*' : g).replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(v);
          const hits = glob(sys, 'sched') ? SCHED_TRACE_EVENTS.filter((e) => glob(ev, e)) : [];
          if (hits.length === 0) return 'EINVAL';
          for (const e of hits) k.tracefs.setEnabled(e, !off);
        }
        return null;
      },
    });
    this.register(`${root}/trace_pipe`, { read: (k) => k.tracefs.readPipe() });
    const all = (k: Kernel, on: boolean): void => {
      for (const e of SCHED_TRACE_EVENTS) k.tracefs.setEnabled(e, on);
    };
    for (const dir of [`${root}/events`, `${root}/events/sched`]) {
      this.register(`${dir}/enable`, {
        read: (k) => `${k.tracefs.groupState()}\n`,
        write: (k, data) => {
          const on = flag(data);
          if (on === null) return 'EINVAL';
          all(k, on);
          return null;
        },
      });
    }
    for (const e of SCHED_TRACE_EVENTS) {
      this.register(`${root}/events/sched/${e}/enable`, {
        read: (k) => `${k.tracefs.enabled.has(e) ? 1 : 0}\n`,
        write: (k, data) => {
          const on = flag(data);
          if (on === null) return 'EINVAL';
          k.tracefs.setEnabled(e, on);
          return null;
        },
      });
    }
  }

  /** Every file path (pid files for live tasks included). */
  allPaths(): string[] {
    const out = [...this.files.keys()];
    for (const name of this.sysctl.keys()) out.push(sysctlNameToPath(name));
    for (const t of this.k.tasks.values()) for (const n of this.pidFiles.keys()) out.push(`/proc/${t.pid}/${n}`);
    return out.sort();
  }

  isDir(pathIn: string): boolean {
    const path = this.resolve(pathIn);
    // root's home directory is there, empty: cd with no argument goes to it, as a login shell's does.
    if (path === '/' || path === '/proc' || path === '/sys' || path === '/root') return true;
    const m = /^\/proc\/(\d+)$/.exec(path);
    if (m) return this.taskFor(m[1] as string) !== null;
    const task = /^\/proc\/(\d+)\/task$/.exec(path);
    if (task) return this.isProcess(task[1] as string);
    const prefix = `${path}/`;
    for (const p of this.files.keys()) if (p.startsWith(prefix)) return true;
    for (const name of this.sysctl.keys()) if (sysctlNameToPath(name).startsWith(prefix)) return true;
    return false;
  }

  /**
   * The file's mode as ls -l prints it, after the kernel's: proc and sysctl files 0444 or 0644 by whether they take
   * writes, 0200 for a write-only one (sysrq-trigger), 0400 for the few only root may read (slabinfo, zoneinfo,
   * vmallocinfo, kmsg), /dev/kmsg a character device; directories 0555 under /proc, 0755 elsewhere, 0700 for
   * debugfs's root. Null if nothing is there.
   */
  mode(pathIn: string): string | null {
    const path = this.resolve(pathIn);
    if (this.isDir(path)) {
      if (path === '/sys/kernel/debug') return 'drwx------';
      return path === '/proc' || path.startsWith('/proc/') ? 'dr-xr-xr-x' : 'drwxr-xr-x';
    }
    if (!this.exists(path)) return null;
    if (path === '/dev/kmsg') return 'crw-r--r--';
    if (path === '/dev/null') return 'crw-rw-rw-';
    if (['/proc/slabinfo', '/proc/zoneinfo', '/proc/vmallocinfo', '/proc/kmsg'].includes(path)) return '-r--------';
    let readable = true;
    let writable = false;
    const f = this.files.get(path);
    const name = pathToSysctlName(path);
    const pid = /^\/proc\/(\d+)\/([a-z_]+)$/.exec(path);
    if (f !== undefined) {
      readable = f.read !== undefined;
      writable = f.write !== undefined;
    } else if (name !== null && this.sysctl.has(name)) {
      const e = this.sysctl.get(name) as SysctlEntry;
      readable = e.writeOnly !== true;
      writable = e.write !== undefined;
    } else if (pid !== null) {
      writable = this.pidFiles.get(pid[2] as string)?.write !== undefined;
    }
    if (!readable) return '--w-------';
    return writable ? '-rw-r--r--' : '-r--r--r--';
  }

  /** Entries of a directory (names only), for ls. */
  list(pathIn: string): string[] | null {
    const path = this.resolve(pathIn);
    if (!this.isDir(path)) return null;
    const names = new Set<string>();
    const prefix = path === '/' ? '/' : `${path}/`;
    const add = (p: string): void => {
      if (!p.startsWith(prefix)) return;
      const rest = p.slice(prefix.length);
      const first = rest.split('/')[0];
      if (first !== undefined && first !== '') names.add(first);
    };
    for (const p of this.files.keys()) add(p);
    for (const n of this.sysctl.keys()) add(sysctlNameToPath(n));
    if (path === '/proc') {
      for (const t of this.k.tasks.values()) names.add(String(t.pid));
      names.add('self');
    }
    const m = /^\/proc\/(\d+)$/.exec(path);
    if (m) {
      for (const n of this.pidFiles.keys()) names.add(n);
      if (this.isProcess(m[1] as string) && !ProcFs.isThreadDir(pathIn)) names.add('task');
    }
    const task = /^\/proc\/(\d+)\/task$/.exec(path);
    if (task) for (const t of this.threadsOf(task[1] as string)) names.add(String(t.pid));
    if (path === '/') {
      names.add('proc');
      names.add('sys');
      names.add('dev');
      names.add('root');
    }
    return [...names].sort((a, b) => (/^\d+$/.test(a) && /^\d+$/.test(b) ? Number(a) - Number(b) : a.localeCompare(b)));
  }
}

