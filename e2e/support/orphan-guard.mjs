// Preloaded into every server process the e2e tests start (`node --import`): when the test worker
// that started it is gone (killed, crashed, interrupted), the server ends too instead of living on.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.kill(process.pid, "SIGKILL");
}, 250).unref();
