// Loaded with -r into a benchmarked server (run with --expose-gc): on 'memory' over its IPC
// channel it collects garbage fully, then answers with its memory, so that a figure per idle
// subscriber is not the garbage of the set-up. It changes nothing else in the server.
process.on('message', (message) => {
  if (message !== 'memory') return;
  global.gc?.();
  const { heapUsed, external, rss } = process.memoryUsage();
  process.send?.({ memory: { heapUsed, external, rss, subscribers: -1 } });
});
