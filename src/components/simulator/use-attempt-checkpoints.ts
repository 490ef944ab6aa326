/**
 * An assessment run's reports to the server (simulator-attempts.ts, "Integrity"): the control log as
 * applied so far and the simulated time it covers, sent every few seconds while the run goes on; the
 * server's acknowledgement says how much of the log it holds. Then the submission of the whole log.
 */
import { useCallback, useEffect, useRef } from 'preact/hooks';
import type { ControlEntry } from '#sim/index.ts';

export interface ConsoleMessage {
  kind: 'info' | 'error' | 'success';
  text: string;
}

/** The portal's typed tRPC client, loaded when the console first talks to the server. */
export async function simulatorApi(): Promise<typeof import('../../lib/trpc-client.ts')['api']> {
  return (await import('../../lib/trpc-client.ts')).api;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function useAttemptCheckpoints(options: {
  /** The attempt's id; undefined outside an assessment (nothing is reported). */
  attemptId: string | undefined;
  everyMs: number;
  onMessage: (message: ConsoleMessage) => void;
}) {
  const { attemptId, everyMs, onMessage } = options;
  /**
   * Assessment checkpoints (simulator-attempts.ts, "Integrity"): the control log as applied so far, the
   * simulated time it covers, how many entries the server acknowledged, and whether the run was reported.
   */
  const checkpoint = useRef({
    log: [] as ControlEntry[],
    throughMs: 0,
    acknowledged: 0,
    started: false,
    busy: false,
    done: false,
  });
  /** Sends the log's unacknowledged entries and the time they cover; the server acknowledges what it holds. */
  const reportCheckpoint = useCallback(async (): Promise<boolean> => {
    const c = checkpoint.current;
    if (attemptId === undefined || c.busy || c.done) return false;
    c.busy = true;
    try {
      const api = await simulatorApi();
      const ack = await api.simulator.checkpointAttempt.mutate({
        attemptId: attemptId,
        from: c.acknowledged,
        entries: c.log.slice(c.acknowledged),
        throughMs: c.throughMs,
      });
      c.acknowledged = ack.acknowledged;
      return true;
    } catch (error) {
      onMessage({
        kind: 'error',
        text: `The server did not receive this run's progress: ${errorText(error)}. The console keeps trying.`,
      });
      return false;
    } finally {
      c.busy = false;
    }
  }, [attemptId, onMessage]);

  // While an assessment run goes on (and until it is submitted) the console reports every few seconds.
  useEffect(() => {
    if (attemptId === undefined) return;
    const timer = setInterval(() => {
      if (checkpoint.current.started && !checkpoint.current.done) void reportCheckpoint();
    }, everyMs);
    return () => clearInterval(timer);
  }, [attemptId, everyMs, reportCheckpoint]);

  const submitAttempt = useCallback(
    async (log: ControlEntry[]): Promise<void> => {
      if (attemptId === undefined) {
        onMessage({
          kind: 'error',
          text: 'This attempt has no id, so it cannot be submitted. Start it again from the assessment page.',
        });
        return;
      }
      onMessage({ kind: 'info', text: 'Submitting your attempt for scoring…' });
      try {
        const api = await simulatorApi();
        await api.simulator.submitAttempt.mutate({ attemptId: attemptId, controlLog: log });
        checkpoint.current.done = true;
        window.location.assign(`/simulator/attempts/${encodeURIComponent(String(attemptId))}`);
      } catch (error) {
        onMessage({
          kind: 'error',
          text: `Your attempt could not be submitted: ${errorText(error)}. Your run is kept on this page: press "Submit again".`,
        });
      }
    },
    [attemptId, onMessage],
  );

  return { checkpoint, reportCheckpoint, submitAttempt };
}
