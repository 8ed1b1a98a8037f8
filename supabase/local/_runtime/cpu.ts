/**
 * CPU time of a process (user + system) from `/proc/<pid>/stat`, in ms.
 * Imported only by `runtime.ts`.
 *
 * This is the whole isolate process: V8's JIT compiler and GC threads count
 * too, and two requests in flight at once share one figure, so it can only
 * over-estimate a request's own CPU time (the platform measures the isolate's
 * thread). Linux only; elsewhere (no `/proc`) it reads null and the limit is
 * not enforced. See docs/local-stack.md, "Limits".
 *
 * @module
 */

// USER_HZ: the unit of utime/stime in /proc (proc(5)); 100 on every Linux ABI in use.
const TICKS_PER_SECOND = 100;

/** CPU ms used so far by `pid`, or null when it cannot be read. Never throws. */
export async function cpuTimeMs(pid: number): Promise<number | null> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    // Fields after "(comm)": state is field 3, utime 14, stime 15 (proc(5)).
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / TICKS_PER_SECOND : null;
  } catch {
    return null;
  }
}
