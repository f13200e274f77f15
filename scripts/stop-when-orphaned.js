// npm runs a script under `sh -c`. A SIGTERM sent to npm's own process (not to its process group, as Ctrl-C does)
// ends npm and that shell, which does not pass the signal on, and the script would run on with no one to stop it.
// The parent's exit is visible as a new parent process id: treat it like the signal.
const CHECK_EVERY_MS = 1_000;

/** Calls `stop` once this process's parent has exited. */
function stopWhenOrphaned(stop) {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    stop();
  }, CHECK_EVERY_MS);
  timer.unref();
}

module.exports = { stopWhenOrphaned };
