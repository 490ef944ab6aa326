/**
 * The engine's Web Worker for the island's lifetime: created once (the engine runs off the page's thread,
 * paced by wall-clock time: engine-worker.ts), its message handler swapped as the console's callbacks
 * change, terminated when the island goes.
 */
import { type MutableRef, useCallback, useEffect, useRef } from 'preact/hooks';
import type { FromWorker, ToWorker } from './console-protocol.ts';
import { errorText } from './use-attempt-checkpoints.ts';

export interface EngineWorker {
  workerRef: MutableRef<Worker | null>;
  send: (message: ToWorker) => void;
}

export function useEngineWorker(
  onMessage: (event: MessageEvent<FromWorker>) => void,
  onProblem: (text: string) => void,
): EngineWorker {
  const workerRef = useRef<Worker | null>(null);
  const problemRef = useRef(onProblem);
  problemRef.current = onProblem;

  useEffect(() => {
    let worker: Worker;
    try {
      worker = new Worker(new URL('./engine-worker.ts', import.meta.url), { type: 'module' });
    } catch (error) {
      problemRef.current(`This browser could not start the simulator (${errorText(error)}). Try a current browser.`);
      return;
    }
    workerRef.current = worker;
    worker.onerror = (event) => {
      problemRef.current(`The simulator failed to load: ${event.message || 'unknown error'}. Reload the page.`);
    };
    return () => {
      worker.terminate();
      workerRef.current = null;
    };
  }, []);

  useEffect(() => {
    if (workerRef.current) workerRef.current.onmessage = onMessage;
  }, [onMessage]);

  const send = useCallback((message: ToWorker): void => {
    workerRef.current?.postMessage(message);
  }, []);

  return { workerRef, send };
}
