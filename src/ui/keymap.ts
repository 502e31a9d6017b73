/**
 * Keys as data (htop's Action_setBindings, scxtop's KeyMap): each action has its default keys, a help text and a
 * group; the config file may rebind actions. Help and the footer's hints are generated from this table.
 */
export type ActionId =
  | 'help'
  | 'quit'
  | 'theme'
  | 'search'
  | 'filter'
  | 'tree'
  | 'sort_menu'
  | 'sort_prev'
  | 'sort_next'
  | 'sort_invert'
  | 'nice_minus'
  | 'nice_plus'
  | 'kill'
  | 'pause'
  | 'faster'
  | 'slower'
  | 'step_event'
  | 'step_tick'
  | 'screen_1'
  | 'screen_2'
  | 'screen_3'
  | 'screen_4'
  | 'screen_next'
  | 'screen_prev'
  | 'pane_next'
  | 'pane_prev'
  | 'command'
  | 'sysrq'
  | 'zoom_in'
  | 'zoom_out'
  | 'zoom_auto'
  | 'color_mode'
  | 'dmesg_mode'
  | 'dmesg_wrap'
  | 'follow'
  | 'chrt'
  | 'taskset'
  | 'oom_adj'
  | 'details'
  | 'kthreads'
  | 'tree_cpu_prev'
  | 'tree_cpu_next'
  | 'mouse'
  | 'redraw'
  | 'mark'
  | 'trace';

export interface Binding {
  action: ActionId;
  keys: string[];
  help: string;
  group: 'General' | 'Time' | 'Screens' | 'Tasks' | 'Panes' | 'Machine';
  /** F-key bar label (htop's function bar). */
  bar?: string;
}

export const DEFAULT_BINDINGS: readonly Binding[] = [
  { action: 'help', keys: ['f1', '?', 'h'], help: 'this help', group: 'General', bar: 'Help' },
  { action: 'theme', keys: ['f2', 'T'], help: 'next colour theme', group: 'General', bar: 'Theme' },
  { action: 'search', keys: ['f3', '/'], help: 'search tasks by name or pid (n: next match)', group: 'Tasks', bar: 'Search' },
  { action: 'filter', keys: ['f4', '\\'], help: 'filter tasks by name', group: 'Tasks', bar: 'Filter' },
  { action: 'tree', keys: ['f5', 't'], help: 'tree view by parent', group: 'Tasks', bar: 'Tree' },
  { action: 'sort_menu', keys: ['f6'], help: 'choose the sort column (focused table)', group: 'Tasks', bar: 'SortBy' },
  { action: 'sort_prev', keys: ['<'], help: 'sort by the previous column', group: 'Tasks' },
  { action: 'sort_next', keys: ['>'], help: 'sort by the next column', group: 'Tasks' },
  { action: 'sort_invert', keys: ['I'], help: 'invert the sort order', group: 'Tasks' },
  { action: 'nice_minus', keys: ['f7', ']'], help: 'renice the selected task -1 (higher priority)', group: 'Tasks', bar: 'Nice -' },
  { action: 'nice_plus', keys: ['f8', '['], help: 'renice the selected task +1 (lower priority)', group: 'Tasks', bar: 'Nice +' },
  { action: 'kill', keys: ['f9', 'k'], help: 'send a signal to the selected task', group: 'Tasks', bar: 'Kill' },
  { action: 'quit', keys: ['f10', 'q', 'C-c'], help: 'quit', group: 'General', bar: 'Quit' },
  { action: 'follow', keys: ['F'], help: 'follow the selected task (keep it in view)', group: 'Tasks' },
  { action: 'chrt', keys: ['c'], help: 'change the policy of the selected task (chrt)', group: 'Tasks' },
  { action: 'taskset', keys: ['a'], help: 'set the CPU affinity of the selected task (taskset)', group: 'Tasks' },
  { action: 'oom_adj', keys: ['o'], help: "set the selected task's oom_score_adj", group: 'Tasks' },
  { action: 'details', keys: ['enter'], help: '/proc/PID/status, sched and maps of the selected task', group: 'Tasks' },
  { action: 'kthreads', keys: ['K'], help: 'show or hide kernel threads', group: 'Tasks' },
  { action: 'pause', keys: ['space'], help: 'pause or resume virtual time', group: 'Time' },
  { action: 'faster', keys: ['+', '='], help: 'faster (x0.01 .. x1000)', group: 'Time' },
  { action: 'slower', keys: ['-'], help: 'slower', group: 'Time' },
  { action: 'step_event', keys: ['.'], help: 'single step: one scheduler event (pauses)', group: 'Time' },
  { action: 'step_tick', keys: [','], help: 'single step: one scheduler tick (pauses)', group: 'Time' },
  { action: 'screen_1', keys: ['1'], help: 'overview screen', group: 'Screens' },
  { action: 'screen_2', keys: ['2'], help: 'scheduler screen', group: 'Screens' },
  { action: 'screen_3', keys: ['3'], help: 'memory screen', group: 'Screens' },
  { action: 'screen_4', keys: ['4'], help: 'log screen', group: 'Screens' },
  { action: 'screen_next', keys: ['tab'], help: 'next screen', group: 'Screens' },
  { action: 'screen_prev', keys: ['S-tab'], help: 'previous screen', group: 'Screens' },
  { action: 'pane_next', keys: ['w'], help: 'focus the next pane', group: 'Panes' },
  { action: 'pane_prev', keys: ['W'], help: 'focus the previous pane', group: 'Panes' },
  { action: 'zoom_in', keys: ['z'], help: 'timeline: zoom in (less time per column)', group: 'Panes' },
  { action: 'zoom_out', keys: ['Z'], help: 'timeline: zoom out', group: 'Panes' },
  { action: 'zoom_auto', keys: ['0'], help: 'timeline: automatic zoom (one column per frame)', group: 'Panes' },
  { action: 'color_mode', keys: ['m'], help: 'timeline: colour by task or by scheduling class', group: 'Panes' },
  { action: 'dmesg_mode', keys: ['d'], help: 'dmesg: whole ring or console view', group: 'Panes' },
  { action: 'dmesg_wrap', keys: ['L'], help: 'dmesg and console: wrap long lines, or cut them (left/right pan)', group: 'Panes' },
  { action: 'tree_cpu_prev', keys: ['{'], help: 'fair tree: previous CPU', group: 'Panes' },
  { action: 'tree_cpu_next', keys: ['}'], help: 'fair tree: next CPU', group: 'Panes' },
  { action: 'command', keys: [':'], help: 'command line: cat, echo >, sysctl, renice, kill, ps, vmstat 1, pidstat 1, watch... (help lists all; Tab completes)', group: 'Machine' },
  { action: 'sysrq', keys: ['!', 'M-s'], help: 'magic SysRq: then a command key (h lists them); kernel.sysrq applies', group: 'Machine' },
  { action: 'mark', keys: ['M'], help: 'put a marker in the recording and the journal', group: 'Machine' },
  { action: 'trace', keys: ['R'], help: 'start or stop capturing a trace (Perfetto JSON)', group: 'Machine' },
  { action: 'mouse', keys: ['C-o'], help: 'mouse on or off', group: 'General' },
  { action: 'redraw', keys: ['C-l'], help: 'redraw the whole screen', group: 'General' },
];

export class Keymap {
  private readonly byKey = new Map<string, ActionId>();
  readonly bindings: Binding[];

  constructor(overrides: Readonly<Record<string, string[]>> = {}) {
    this.bindings = DEFAULT_BINDINGS.map((b) => ({ ...b, keys: overrides[b.action] ?? b.keys }));
    for (const b of this.bindings) for (const k of b.keys) if (!this.byKey.has(k)) this.byKey.set(k, b.action);
  }

  resolve(key: string): ActionId | undefined {
    return this.byKey.get(key);
  }

  keysOf(action: ActionId): string[] {
    return this.bindings.find((b) => b.action === action)?.keys ?? [];
  }

  /** The F-key bar: [key, label] in order of the F-keys. */
  bar(): [string, string][] {
    const out: [string, string][] = [];
    for (const b of this.bindings) {
      if (b.bar === undefined) continue;
      const f = b.keys.find((k) => /^f\d+$/.test(k));
      out.push([f !== undefined ? f.toUpperCase() : (b.keys[0] ?? ''), b.bar]);
    }
    return out.sort((a, b) => (Number(a[0].slice(1)) || 99) - (Number(b[0].slice(1)) || 99));
  }
}

/** Every action id, for validating config files. */
export const ACTION_IDS: readonly ActionId[] = DEFAULT_BINDINGS.map((b) => b.action);

/** A key as the help shows it. */
export function keyLabel(k: string): string {
  if (/^f\d+$/.test(k)) return k.toUpperCase();
  if (k.startsWith('C-')) return `Ctrl-${k.slice(2).toUpperCase()}`;
  if (k.startsWith('M-')) return `Alt-${k.slice(2)}`;
  if (k === 'S-tab') return 'Shift-Tab';
  if (k === 'space') return 'Space';
  if (k === 'enter') return 'Enter';
  if (k === 'tab') return 'Tab';
  return k;
}
