/**
 * The bus and the runtime: pacing maps wall time to virtual time (speed, pause, steps, no catch-up after a
 * stall), the runner publishes frames at the frame rate and applies commands at its next step, the simulation
 * lags instead of blocking when it cannot keep up, and the same inputs give the same frames.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KernelBus, ofKind } from '../../src/bus/bus.js';
import type { Frame, SpanBatch } from '../../src/bus/frame.js';
import { LaneBuilder } from '../../src/bus/lanes.js';
import { machineHooks } from '../../src/cli/hooks.js';
import { ManualClock, Pacer, simHzFor, TickLoop, type WallClock } from '../../src/runtime/pacing.js';
import { DEFAULT_RUNNER, Runner } from '../../src/runtime/runner.js';
import { parseScenarioText } from '../../src/sim/config.js';
import { Session } from '../../src/sim/session.js';

interface RunSpan {
  pid: number;
  comm: string;
  prio: number;
  startNs: number;
  endNs: number;
}

/** A batch's spans as objects, to assert on. */
function spanList(b: SpanBatch): RunSpan[] {
  return b.pids.map((pid, i) => ({ pid, comm: b.comms[i] as string, prio: b.prios[i] as number, startNs: b.starts[i] as number, endNs: b.ends[i] as number }));
}

const scenario = {
  name: 'runtime',
  seed: 9,
  machine: { cpus: 2, memory: '1G' },
  tasks: [
    { comm: 'hog', program: [{ run: 'forever' }] },
    { comm: 'tick', program: [{ loop: [{ run: '300us' }, { sleep: '7ms' }] }] },
  ],
};

function setup(clock: WallClock = new ManualClock(), fps = 10): { session: Session; bus: KernelBus; runner: Runner; frames: Frame[] } {
  const session = new Session(parseScenarioText('runtime.json', JSON.stringify(scenario)), machineHooks());
  const bus = new KernelBus();
  const runner = new Runner(session, bus, clock, { ...DEFAULT_RUNNER, fps });
  const frames: Frame[] = [];
  bus.frames$.subscribe((f) => frames.push(f));
  return { session, bus, runner, frames };
}

describe('tick loop', () => {
  it('keeps a fixed rate whatever each step takes, and after a stall goes on from now without catching up', () => {
    // A clock whose time moves only when a step "works": each step takes `cost` ms.
    let t = 0;
    let pending: (() => void) | null = null;
    const delays: number[] = [];
    const clock: WallClock = {
      nowMs: () => t,
      setTimer: (fn, ms) => {
        delays.push(ms);
        pending = () => {
          t += ms;
          fn();
        };
        return 1;
      },
      clearTimer: () => {
        pending = null;
      },
    };
    const costs = [5, 5, 250, 5, 5];
    const starts: number[] = [];
    const loop = new TickLoop(clock, 100, () => {
      starts.push(t);
      t += costs[starts.length - 1] ?? 0;
    });
    loop.start();
    for (let i = 0; i < costs.length; i++) (pending as unknown as () => void)();
    loop.stop();
    expect(starts).toEqual([100, 200, 300, 550, 650]);
    expect(delays).toEqual([100, 95, 95, 0, 95, 95]);
  });
  it('steps at least as often as frames are drawn, and at least 10 times a second', () => {
    expect([simHzFor(10, DEFAULT_RUNNER.simHz), simHzFor(30, DEFAULT_RUNNER.simHz), simHzFor(1, DEFAULT_RUNNER.simHz)]).toEqual([10, 30, 10]);
  });
});

describe('pacer', () => {
  it('credits wall time times speed, nothing while paused, at most maxGapMs per call', () => {
    const p = new Pacer(2, false, 250);
    expect(p.advanceNs(1000)).toBe(0);
    expect(p.advanceNs(1100)).toBe(200_000_000);
    p.paused = true;
    expect(p.advanceNs(1200)).toBe(0);
    p.paused = false;
    expect(p.advanceNs(5200)).toBe(500_000_000);
  });
  it('steps through the speed table and clamps', () => {
    const p = new Pacer(1);
    const seen: number[] = [];
    for (let i = 0; i < 12; i++) {
      p.apply({ kind: 'speed_step', dir: 1 }, 4e6);
      seen.push(p.speed);
    }
    expect(seen).toEqual([2, 5, 10, 20, 50, 100, 200, 500, 1000, 1000, 1000, 1000]);
    p.apply({ kind: 'speed', factor: 0.3 }, 4e6);
    p.apply({ kind: 'speed_step', dir: -1 }, 4e6);
    expect(p.speed).toBe(0.2);
    p.apply({ kind: 'speed', factor: 1e9 }, 4e6);
    expect(p.speed).toBe(1000);
    expect(p.apply({ kind: 'step_tick' }, 4e6)).toEqual({ events: 0, ns: 4e6 });
    expect(p.paused).toBe(true);
  });
});

describe('runner', () => {
  it('publishes frames at the frame rate with virtual time = wall time x speed', () => {
    const clock = new ManualClock();
    const { runner, frames } = setup(clock, 10);
    runner.start();
    clock.advance(2000);
    expect(frames.length).toBeGreaterThanOrEqual(20);
    expect(frames.length).toBeLessThanOrEqual(22);
    expect(frames[frames.length - 1]?.snapshot.nowNs).toBe(2_000_000_000);
    runner.pacer.speed = 10;
    clock.advance(1000);
    expect(frames[frames.length - 1]?.snapshot.nowNs).toBe(12_000_000_000);
    runner.stop();
  });

  it('keeps the frame rate when each step spends wall time simulating before it publishes', () => {
    const clock = new ManualClock();
    const { runner, frames, session } = setup(clock, 10);
    // Every kernel event the sink sees costs 0.2 ms of wall time: several ms of simulation per 100 ms step.
    let spent = 0;
    session.k.addSink({
      emit: () => {
        clock.spend(0.2);
        spent += 0.2;
      },
      schedSwitch: () => {
        clock.spend(0.2);
        spent += 0.2;
      },
    });
    runner.start();
    clock.advance(2000);
    expect(spent).toBeGreaterThan(20 * 2);
    expect(frames.length).toBeGreaterThanOrEqual(20);
    expect(frames.length).toBeLessThanOrEqual(22);
    runner.stop();
  });

  it('keeps the frame rate when other work makes its steps fire late', () => {
    const clock = new ManualClock();
    const { runner, frames } = setup(clock, 10);
    runner.start();
    // Other work on the event loop (input, writes) takes 6 ms just before every other step is due, so that step
    // fires 5 ms late and the fixed-rate loop's next period is 95 ms.
    const busy = (): void => {
      clock.spend(6);
      clock.setTimer(busy, 194);
    };
    clock.setTimer(busy, 199);
    clock.advance(2000);
    expect(frames.length).toBeGreaterThanOrEqual(20);
    expect(frames.length).toBeLessThanOrEqual(22);
    runner.stop();
  });

  it('applies commands at its next step, and their output comes back in a frame', () => {
    const clock = new ManualClock();
    const { runner, bus, frames, session } = setup(clock);
    runner.start();
    clock.advance(100);
    bus.submit({ kind: 'sh', line: 'sysctl -w vm.swappiness=10' });
    expect(session.k.sysctl.swappiness).not.toBe(10);
    clock.advance(100);
    expect(session.k.sysctl.swappiness).toBe(10);
    const acts = frames.flatMap((f) => f.actions);
    expect(acts.map((a) => [a.action, a.output, a.source])).toContainEqual(['sh sysctl -w vm.swappiness=10', 'vm.swappiness = 10\n', 'command']);
  });

  it('frames carry each CPU\'s run spans, contiguous and inside the frame', () => {
    const clock = new ManualClock();
    const { runner, frames } = setup(clock);
    runner.start();
    clock.advance(1000);
    for (let i = 1; i < frames.length; i++) {
      const f = frames[i] as Frame;
      const prevNs = (frames[i - 1] as Frame).snapshot.nowNs;
      for (const batch of f.spans) {
        const lane = spanList(batch);
        let t = prevNs;
        for (const s of lane) {
          expect(s.startNs).toBe(t);
          expect(s.endNs).toBeGreaterThan(s.startNs);
          t = s.endNs;
        }
        if (lane.length > 0) expect(t).toBe(f.snapshot.nowNs);
      }
    }
    const hog = frames.flatMap((f) => f.spans.flatMap(spanList)).filter((s) => s.comm === 'hog');
    expect(hog.reduce((a, s) => a + s.endNs - s.startNs, 0)).toBeGreaterThan(900_000_000);
  });

  it('lags instead of blocking when the simulation cannot keep up', () => {
    // A slow machine: every look at the clock costs 5 ms.
    let t = 0;
    const timers: { at: number; fn: () => void }[] = [];
    const slow: WallClock = {
      nowMs: () => (t += 5),
      setTimer: (fn, ms) => timers.push({ at: t + ms, fn }),
      clearTimer: () => undefined,
    };
    const { runner, frames } = setup(slow);
    runner.pacer.speed = 1000;
    runner.start();
    for (let i = 0; i < 50 && timers.length > 0; i++) {
      const next = timers.shift() as { at: number; fn: () => void };
      t = Math.max(t, next.at);
      next.fn();
    }
    const last = frames[frames.length - 1] as Frame;
    expect(last.sim.lagging).toBe(true);
    runner.stop();
  });

  it('the same inputs give the same frames (determinism through the runtime)', () => {
    const run = (): string[] => {
      const clock = new ManualClock();
      const { runner, bus, frames } = setup(clock);
      runner.start();
      clock.advance(500);
      bus.submit({ kind: 'sh', line: 'renice -n 5 -p 30' });
      bus.submit({ kind: 'sysrq', key: 'm' });
      clock.advance(700);
      bus.pace({ kind: 'step_event' });
      clock.advance(100);
      runner.stop();
      return frames.map((f) => createHash('sha256').update(JSON.stringify({ s: f.snapshot, sp: f.spans, p: f.printk, a: f.actions })).digest('hex'));
    };
    const a = run();
    expect(a.length).toBeGreaterThan(10);
    expect(run()).toEqual(a);
  });
});

describe('bus', () => {
  it('ofKind narrows; snapshot$ replays the latest; events$ flattens batches', () => {
    const clock = new ManualClock();
    const { runner, bus } = setup(clock);
    const kinds: string[] = [];
    bus.events$.pipe(ofKind('sysrq', 'printk')).subscribe((e) => kinds.push(e.kind));
    runner.start();
    clock.advance(200);
    bus.submit({ kind: 'sysrq', key: 'h' });
    clock.advance(200);
    expect(kinds).toContain('sysrq');
    expect(kinds).toContain('printk');
    expect(kinds.every((k) => k === 'sysrq' || k === 'printk')).toBe(true);
    let seen = -1;
    bus.snapshot$.subscribe((s) => (seen = s.nowNs));
    expect(seen).toBe(400_000_000);
  });

  it('lane builder: switches become spans, merged when contiguous, cut at drain', () => {
    const lb = new LaneBuilder(1, () => ({ pid: 0, comm: 'swapper/0', prio: 120 }), 0);
    const sw = (t: number, next: number): void => lb.switchTo(0, t, next, `p${next}`, 120);
    sw(10, 5);
    sw(30, 6);
    sw(30, 5);
    const d = lb.drain(50);
    // The zero-length run of 6 at t=30 leaves no span; 5 before and after it is one span.
    expect(spanList(d[0] as SpanBatch).map((s) => [s.pid, s.startNs, s.endNs])).toEqual([
      [0, 0, 10],
      [5, 10, 50],
    ]);
    expect(spanList(lb.drain(60)[0] as SpanBatch).map((s) => [s.pid, s.startNs, s.endNs])).toEqual([[5, 50, 60]]);
  });

  it('lane builder: a lane keeps every span past its first columns, and credits the rest of a full frame to its last span', () => {
    const sw = (lb: LaneBuilder, t: number, next: number): void => lb.switchTo(0, t, next, `p${next}`, 100 + (next % 40));
    const wide = new LaneBuilder(1, () => ({ pid: 0, comm: 'swapper/0', prio: 120 }), 0);
    for (let i = 1; i <= 100; i++) sw(wide, i * 10, i);
    const all = spanList(wide.drain(2000)[0] as SpanBatch);
    expect(all).toHaveLength(101);
    expect(all[37]).toEqual({ pid: 37, comm: 'p37', prio: 137, startNs: 370, endNs: 380 });
    expect(all[100]).toEqual({ pid: 100, comm: 'p100', prio: 120, startNs: 1000, endNs: 2000 });
    const capped = new LaneBuilder(1, () => ({ pid: 0, comm: 'swapper/0', prio: 120 }), 0, 4);
    for (let i = 1; i <= 10; i++) sw(capped, i * 10, i);
    expect(spanList(capped.drain(200)[0] as SpanBatch).map((s) => [s.pid, s.startNs, s.endNs])).toEqual([
      [0, 0, 10],
      [1, 10, 20],
      [2, 20, 30],
      [3, 30, 200],
    ]);
    // The next frame starts afresh.
    expect(spanList(capped.drain(250)[0] as SpanBatch).map((s) => [s.pid, s.startNs, s.endNs])).toEqual([[10, 200, 250]]);
  });
});
