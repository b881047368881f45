// Fault injection for the crash tests: with FLOW_CRASH_AT=<point> in its environment the
// process kills itself with SIGKILL at that point, as a power cut or the OOM killer would,
// so a test can check what the next start makes of the files left behind.
export type CrashPoint = 'before-renames' | 'between-renames';

export function crashPoint(point: CrashPoint): void {
  if (process.env.FLOW_CRASH_AT === point) process.kill(process.pid, 'SIGKILL');
}
