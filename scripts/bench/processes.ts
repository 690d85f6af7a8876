/**
 * CPU time of other processes (a server under test) from /proc, Linux only: read
 * before and after a run, the difference is what that server spent on it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

let ticksPerSecond: number | undefined;

/** Clock ticks per second of /proc/<pid>/stat (CLK_TCK, 100 nearly everywhere). */
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    } catch {
      ticksPerSecond = 100;
    }
    if (!(ticksPerSecond > 0)) ticksPerSecond = 100;
  }
  return ticksPerSecond;
}

interface Stat {
  ppid: number;
  /** utime + stime of the process (all its threads). */
  own: number;
  /** cutime + cstime: its children that ended and were waited for. */
  reaped: number;
}

/** /proc/<pid>/stat; the fields after the command name (which may hold spaces) start at the state, field 3. */
function statOf(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const field = (n: number): number => Number(fields[n - 3]);
  return { ppid: field(4), own: field(14) + field(15), reaped: field(16) + field(17) };
}

/**
 * CPU milliseconds (user + system) used so far by a process and every descendant,
 * alive or ended: PostgreSQL's backends are children of the postmaster. Undefined
 * when the process is not there.
 */
export function treeCpuMs(rootPid: number): number | undefined {
  const root = statOf(rootPid);
  if (root === undefined) return undefined;
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = statOf(Number(name));
    if (stat === undefined) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(Number(name));
    children.set(stat.ppid, list);
  }
  // The root's ended children are in its `reaped`; living descendants are added one by one.
  let ticks = root.own + root.reaped;
  const stack = [...(children.get(rootPid) ?? [])];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    const stat = statOf(pid);
    if (stat === undefined) continue;
    ticks += stat.own;
    stack.push(...(children.get(pid) ?? []));
  }
  return (ticks * 1000) / clockTicks();
}

/** The pid on the first line of a pid file, if that process runs. */
export function pidFromFile(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0].trim());
    return Number.isInteger(pid) && pid > 0 && statOf(pid) !== undefined ? pid : undefined;
  } catch {
    return undefined;
  }
}
