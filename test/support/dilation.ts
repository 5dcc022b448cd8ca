/**
 * How much slower than the wall clock this process runs meanwhile. On a loaded machine (other test files, the CI's
 * other stage, helpers) the relays, the kubo stand-in and the engine share one event loop that gets the CPU less
 * often: a 20 ms tick that comes less often than it should says by how much. A bound of "at most N ms of the
 * process's own time" is N × dilation: the same as N on a quiet machine, and still far below what the bound
 * guards against (a 20 s wait) on a busy one.
 *
 *   const clock = watchDilation(); …work…; const dilation = clock.stop();
 */
export function watchDilation(tickMs = 20): { stop(): number } {
  let ticks = 0;
  const timer = setInterval(() => ticks++, tickMs);
  const t0 = Date.now();
  return {
    stop(): number {
      clearInterval(timer);
      return Math.max(1, (Date.now() - t0) / tickMs / Math.max(1, ticks));
    },
  };
}
