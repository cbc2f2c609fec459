/**
 * Workers die with their runner. A worker spawned with an IPC channel (pool.ts) gets 'disconnect' the moment the
 * runner goes away, however it went (exit, crash, kill -9: the kernel closes the channel). As a second line, the parent
 * pid is polled: once this process is re-parented (the runner is gone), it stops too. Both act when the worker's event
 * loop turns, i.e. between training steps; a worker in a long synchronous evaluation finishes that first.
 */
export function dieWithParent(onParentGone: (why: string) => void, pollMs = 1000): () => void {
  const parent = process.ppid;
  let fired = false;
  const fire = (why: string): void => {
    if (fired) return;
    fired = true;
    stop();
    onParentGone(why);
  };
  const onDisconnect = (): void => fire('the runner closed its channel (it exited or was killed)');
  if (process.send) process.on('disconnect', onDisconnect);
  const timer = setInterval(() => {
    if (process.ppid !== parent) fire(`the runner (pid ${parent}) is gone`);
  }, pollMs);
  timer.unref();
  const stop = (): void => {
    clearInterval(timer);
    process.off('disconnect', onDisconnect);
  };
  return stop;
}
