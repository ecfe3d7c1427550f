/** Waiting for the process to be told to stop: SIGINT / SIGTERM, or a promise the caller gives (tests). */

/** Resolves on the first SIGINT or SIGTERM (or `stop`); `dispose` removes the handlers. */
export function stopSignal(stop?: Promise<void>): { readonly stopped: Promise<string>; dispose(): void } {
  if (stop !== undefined) return { stopped: stop.then(() => 'stop'), dispose: () => undefined };
  let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
  const stopped = new Promise<string>((resolve) => {
    onSignal = (signal) => {
      resolve(signal);
    };
  });
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    stopped,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
