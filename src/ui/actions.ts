/**
 * What each keymap action does. Actions on the machine go through the bus as commands in the machine's own
 * command language (renice, kill, chrt, ...), exactly what a person would type at the ':' prompt; pacing goes to
 * the runtime; everything else only changes what the UI shows.
 */
import type { App } from './app.js';
import type { ActionId } from './keymap.js';
import { invalidateCellBoxes } from './cell-box.js';
import { LineEditor } from './line-editor.js';
import { helpOverlay, Menu } from './overlays.js';
import { SCREENS } from './ui-state.js';
import { SLAB_SORTS } from './widgets/slab-table.js';
import { SORT_KEYS, SORT_TITLES, type SortKey } from './widgets/task-table.js';
import { Reaction, type KeyEvent, type WidgetId } from './widgets/widget.js';

export type PromptKind = 'command' | 'search' | 'filter';

const SIGNALS: readonly [number, string][] = [
  [15, 'SIGTERM'],
  [9, 'SIGKILL'],
  [2, 'SIGINT'],
  [1, 'SIGHUP'],
  [3, 'SIGQUIT'],
  [19, 'SIGSTOP'],
  [18, 'SIGCONT'],
  [10, 'SIGUSR1'],
  [12, 'SIGUSR2'],
];

function openPrompt(app: App, kind: PromptKind, text = ''): void {
  const e = new LineEditor(kind === 'command' ? app.commandHistory : []);
  e.set(text);
  app.prompt = { kind, editor: e };
}

/** Run a command line on the machine (output comes back in a later frame). */
export function runCommand(app: App, line: string, pager = false): void {
  const l = line.trim();
  if (l === '') return;
  if (app.opts.readOnly === true) {
    app.say('a replay takes its commands from the journal; this one was not sent', true);
    return;
  }
  if (app.commandHistory[app.commandHistory.length - 1] !== l) app.commandHistory.push(l);
  if (app.commandHistory.length > 200) app.commandHistory.shift();
  if (pager) app.pagerFor.add(l);
  app.opts.bus.submit({ kind: 'sh', line: l });
}

function selectedOrSay(app: App): number | null {
  const t = app.ui.selected;
  if (t === undefined) {
    app.say('select a task first (arrows in the task list)', true);
    return null;
  }
  return t.pid;
}

/** The table that sort keys act on: the focused one, else the task list. */
function sortTarget(app: App): 'tasks' | 'slabs' {
  return app.ui.focus === 'slabs' ? 'slabs' : 'tasks';
}

export function handleAction(app: App, a: ActionId): number {
  const ui = app.ui;
  const bus = app.opts.bus;
  switch (a) {
    case 'help':
      app.overlay = helpOverlay(app.opts.keymap, app.opts.sysrqHelp);
      return Reaction.Redraw;
    case 'quit':
      return Reaction.Quit;
    case 'theme': {
      const list = app.opts.themes;
      if (list.length === 0) return Reaction.None;
      for (let tries = 0; tries < list.length; tries++) {
        app.themeIndex = (app.themeIndex + 1) % list.length;
        const choice = list[app.themeIndex];
        if (choice === undefined) continue;
        try {
          app.setTheme(choice.load());
          app.say(`theme: ${choice.name}`);
          return Reaction.Redraw;
        } catch (e) {
          app.say(`theme ${choice.name}: ${(e as Error).message}`, true);
        }
      }
      return Reaction.Redraw;
    }
    case 'search':
      openPrompt(app, 'search');
      return Reaction.Redraw;
    case 'filter':
      openPrompt(app, 'filter', app.tasks.filter);
      return Reaction.Redraw;
    case 'tree':
      app.tasks.tree = !app.tasks.tree;
      app.tasks.rebuild(ui);
      return Reaction.Redraw;
    case 'sort_menu':
      if (sortTarget(app) === 'slabs') {
        app.overlay = new Menu('Sort slabs by', SLAB_SORTS.map((k) => ({ label: `${k}  ${slabSortName(k)}`, value: k })), (k) => {
          app.slabs.sort = k;
        }, SLAB_SORTS.indexOf(app.slabs.sort));
      } else {
        app.overlay = new Menu('Sort tasks by', SORT_KEYS.map((k) => ({ label: SORT_TITLES[k], value: k })), (k: SortKey) => app.tasks.setSort(k, ui), SORT_KEYS.indexOf(app.tasks.sortKey));
      }
      return Reaction.Redraw;
    case 'sort_prev':
    case 'sort_next':
      if (sortTarget(app) === 'slabs') app.slabs.cycleSort(a === 'sort_next' ? 1 : -1);
      else app.tasks.cycleSort(a === 'sort_next' ? 1 : -1, ui);
      return Reaction.Redraw;
    case 'sort_invert':
      app.tasks.sortDesc = !app.tasks.sortDesc;
      app.tasks.rebuild(ui);
      return Reaction.Redraw;
    case 'nice_minus':
    case 'nice_plus': {
      const t = ui.selected;
      if (t === undefined) return selectedOrSay(app) ?? Reaction.Redraw;
      // Repeated presses before the next frame build on the value already asked for.
      const base = app.pendingNice.get(t.pid) ?? t.nice;
      const nice = Math.max(-20, Math.min(19, base + (a === 'nice_plus' ? 1 : -1)));
      app.pendingNice.set(t.pid, nice);
      runCommand(app, `renice -n ${nice} -p ${t.pid}`);
      return Reaction.Redraw;
    }
    case 'kill': {
      const pid = selectedOrSay(app);
      if (pid === null) return Reaction.Redraw;
      const comm = ui.task(pid)?.comm ?? '';
      app.overlay = new Menu(`Send signal to ${pid} ${comm}`, SIGNALS.map(([n, name]) => ({ label: `${String(n).padStart(2)} ${name}`, value: n })), (n) => runCommand(app, `kill -${n} ${pid}`));
      return Reaction.Redraw;
    }
    case 'pause':
      bus.pace({ kind: 'toggle_pause' });
      return Reaction.Redraw;
    case 'faster':
    case 'slower':
      bus.pace({ kind: 'speed_step', dir: a === 'faster' ? 1 : -1 });
      return Reaction.Redraw;
    case 'step_event':
      bus.pace({ kind: 'step_event' });
      return Reaction.Redraw;
    case 'step_tick':
      bus.pace({ kind: 'step_tick' });
      return Reaction.Redraw;
    case 'screen_1':
    case 'screen_2':
    case 'screen_3':
    case 'screen_4':
      app.setScreen(SCREENS[Number(a.slice(-1)) - 1] ?? 'overview');
      return Reaction.Relayout;
    case 'screen_next':
    case 'screen_prev': {
      const i = SCREENS.indexOf(ui.screen);
      app.setScreen(SCREENS[(i + (a === 'screen_next' ? 1 : SCREENS.length - 1)) % SCREENS.length] ?? 'overview');
      return Reaction.Relayout;
    }
    case 'pane_next':
    case 'pane_prev': {
      const list = app.focusable();
      const i = list.indexOf(ui.focus as WidgetId);
      ui.focus = list[(i + (a === 'pane_next' ? 1 : list.length - 1)) % list.length] ?? ui.focus;
      return Reaction.Redraw;
    }
    case 'command':
      openPrompt(app, 'command');
      return Reaction.Redraw;
    case 'sysrq':
      if (app.opts.readOnly === true) app.say('a replay takes its SysRq keys from the journal', true);
      else app.sysrqPending = true;
      return Reaction.Redraw;
    case 'zoom_in':
    case 'zoom_out':
    case 'zoom_auto':
      app.timeline.zoom(a === 'zoom_in' ? 1 : a === 'zoom_out' ? -1 : 0);
      return Reaction.Redraw;
    case 'color_mode':
      app.timeline.colorBy = app.timeline.colorBy === 'task' ? 'class' : 'task';
      return Reaction.Redraw;
    case 'dmesg_mode': {
      const target = ui.focus === 'console' ? app.console : app.dmesg;
      target.view = target.view === 'ring' ? 'console' : 'ring';
      return Reaction.Redraw;
    }
    case 'dmesg_wrap':
      // Both log panes together: an OOM report reads the same in either.
      app.dmesg.wrap = app.console.wrap = !app.dmesg.wrap;
      app.say(app.dmesg.wrap ? 'log: long lines wrap' : 'log: long lines are cut (left/right pans)');
      return Reaction.Redraw;
    case 'follow':
      ui.treeCpuPinned = false;
      app.say(ui.selected !== undefined ? `following ${ui.selected.comm} (${ui.selected.pid}): the tree shows its CPU` : 'select a task to follow', ui.selected === undefined);
      return Reaction.Redraw;
    case 'chrt':
    case 'taskset':
    case 'oom_adj': {
      const pid = selectedOrSay(app);
      if (pid === null) return Reaction.Redraw;
      const text = a === 'chrt' ? `chrt -f -p 10 ${pid}` : a === 'taskset' ? `taskset -pc 0 ${pid}` : `echo 0 > /proc/${pid}/oom_score_adj`;
      openPrompt(app, 'command', text);
      return Reaction.Redraw;
    }
    case 'details': {
      const pid = selectedOrSay(app);
      if (pid !== null) runCommand(app, `cat /proc/${pid}/status /proc/${pid}/sched /proc/${pid}/maps`, true);
      return Reaction.Redraw;
    }
    case 'kthreads':
      app.tasks.showKthreads = !app.tasks.showKthreads;
      app.tasks.rebuild(ui);
      return Reaction.Redraw;
    case 'tree_cpu_prev':
    case 'tree_cpu_next': {
      const n = ui.snapshot?.nrCpus ?? 1;
      ui.treeCpu = (ui.treeCpu + (a === 'tree_cpu_next' ? 1 : n - 1)) % n;
      ui.treeCpuPinned = true;
      bus.view.treeCpu = ui.treeCpu;
      return Reaction.Redraw;
    }
    case 'mouse': {
      app.mouse = !app.mouse;
      const s = app.opts.screen;
      if (app.mouse) s.enableMouse();
      else (s.program as unknown as { disableMouse(): void }).disableMouse();
      app.say(`mouse ${app.mouse ? 'on' : 'off'}`);
      return Reaction.Redraw;
    }
    case 'redraw':
      app.opts.screen.realloc();
      invalidateCellBoxes();
      return Reaction.Redraw;
    case 'mark':
      bus.submit({ kind: 'mark', label: `marker at ${((ui.snapshot?.nowNs ?? 0) / 1e9).toFixed(3)}s` });
      app.say('marker set');
      return Reaction.Redraw;
    case 'trace':
      app.say(app.opts.onTraceToggle?.() ?? 'trace capture is not available here', app.opts.onTraceToggle === undefined);
      return Reaction.Redraw;
  }
}

function slabSortName(k: string): string {
  return ({ o: 'objects', a: 'active objects', u: 'utilization', s: 'object size', l: 'slabs', b: 'objects per slab', c: 'cache size', n: 'name' } as Record<string, string>)[k] ?? k;
}

/** Keys while a prompt is open. Search and filter act as you type. */
export function handlePrompt(app: App, k: KeyEvent): void {
  const p = app.prompt;
  if (p === null) return;
  if (p.kind === 'search' && (k.full === 'f3' || k.full === 'C-n')) {
    if (!app.tasks.search(p.editor.text, app.ui, true)) app.say(`no task matches "${p.editor.text}"`, true);
    return;
  }
  if (p.kind === 'command' && k.full === 'tab') {
    const c = app.opts.complete?.(p.editor.text, p.editor.cursor);
    if (c === undefined) return;
    p.editor.text = c.text;
    p.editor.cursor = c.cursor;
    // Ambiguous with nothing to add: the choices in the footer, as a second Tab lists them in bash.
    if (c.candidates.length > 0) app.say(c.candidates.join('  '));
    return;
  }
  const r = p.editor.key(k.full, k.ch);
  if (r === 'cancel') {
    if (p.kind === 'filter') {
      app.tasks.filter = '';
      app.tasks.rebuild(app.ui);
    }
    app.prompt = null;
    return;
  }
  if (r === 'submit') {
    app.prompt = null;
    if (p.kind === 'command') runCommand(app, p.editor.text);
    return;
  }
  if (r === 'edit') {
    if (p.kind === 'search') app.tasks.search(p.editor.text, app.ui, false);
    if (p.kind === 'filter') {
      app.tasks.filter = p.editor.text;
      app.tasks.rebuild(app.ui);
    }
  }
}
