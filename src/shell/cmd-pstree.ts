/**
 * pstree [-p] [-n] [-A|-U] [PID] (psmisc): the process tree from PID (init by default), each task's children
 * sorted by name (-n: by pid) and joined by the tree's lines; identical sibling subtrees are merged into
 * `N*[name]`, except with -p, which shows each pid after its name. Kernel threads descend from kthreadd (pid 2),
 * beside init, as on a real machine: `pstree 2` shows them.
 */
import type { Task } from '../kernel/task/task.js';
import { cmpC } from './cmd-text.js';
import { fail, type Command } from './context.js';

interface Glyphs {
  /** One child (───), first of several (─┬─), a middle one (├─), the last (└─), a line going down (│). */
  one: string;
  first: string;
  mid: string;
  last: string;
  down: string;
}

const UNICODE: Glyphs = { one: '───', first: '─┬─', mid: '├─', last: '└─', down: '│' };
const ASCII: Glyphs = { one: '---', first: '-+-', mid: '|-', last: '`-', down: '|' };

/** t's live children (the task's own list), by name then pid, or by pid alone (-n). */
function childrenOf(t: Task, byPid: boolean): Task[] {
  const kids = [...(t.children ?? [])].filter((c) => c.exitState === 0);
  return kids.sort((a, b) => (byPid ? 0 : cmpC(a.comm, b.comm)) || a.pid - b.pid);
}

/** The lines of t's subtree; the first starts with t's label, the others are indented under its children. */
function render(t: Task, o: { pids: boolean; byPid: boolean; g: Glyphs }): string[] {
  const label = o.pids ? `${t.comm}(${t.pid})` : t.comm;
  const kids = childrenOf(t, o.byPid);
  if (kids.length === 0) return [label];
  // Each child's lines; without -p, identical ones (one line each) are counted and shown as N*[...].
  const groups: { lines: string[]; n: number }[] = [];
  for (const c of kids) {
    const lines = render(c, o);
    const prev = groups[groups.length - 1];
    if (!o.pids && prev !== undefined && lines.length === 1 && prev.lines.length === 1 && prev.lines[0] === lines[0]) prev.n++;
    else groups.push({ lines, n: 1 });
  }
  const parts = groups.map((g) => (g.n > 1 ? [`${g.n}*[${g.lines[0]}]`] : g.lines));
  const pad = ' '.repeat(label.length);
  const out: string[] = [];
  parts.forEach((lines, i) => {
    const only = parts.length === 1;
    const lastOne = i === parts.length - 1;
    const head = i === 0 ? `${label}${only ? o.g.one : o.g.first}` : `${pad} ${lastOne ? o.g.last : o.g.mid}`;
    // Lines under a child: the parent's vertical line continues past all but the last child.
    const cont = i === 0 ? `${pad}${only ? '   ' : ` ${o.g.down} `}` : `${pad} ${lastOne ? '  ' : `${o.g.down} `}`;
    lines.forEach((l, j) => out.push(j === 0 ? head + l : cont + l));
  });
  return out;
}

export const pstree: Command = (env, argv) => {
  const o = { pids: false, byPid: false, g: UNICODE };
  let root = 1;
  for (const a of argv.slice(1)) {
    if (/^-[pnAUlcT]+$/.test(a)) {
      if (a.includes('p')) o.pids = true;
      if (a.includes('n')) o.byPid = true;
      if (a.includes('A')) o.g = ASCII;
      if (a.includes('U')) o.g = UNICODE;
    } else if (/^\d+$/.test(a)) root = Number(a);
    else if (a.startsWith('-')) return fail('pstree', `invalid option -- '${a.replace(/^-+/, '').slice(0, 1)}'\nUsage: pstree [-A|-U] [-n] [-p] [PID]`, 1);
    else return fail('pstree', `no such user: ${a} (the machine's only user is root)`, 1);
  }
  const t = env.k.tasks.get(root);
  // psmisc prints nothing for a pid that is not there, and fails.
  if (t === undefined || t.exitState !== 0) return { out: '', err: '', status: 1 };
  return { out: `${render(t, o).join('\n')}\n`, err: '', status: 0 };
};
