import type { Page } from 'playwright-core';

// Waits on the simulator console's own progress (the engine runs in real time in a worker), instead of
// fixed sleeps: a loaded machine then takes longer rather than failing, and an idle one does not wait idly.

/**
 * The readout `id` over the next `beats` measured beats, counting the one on show: the readouts change once
 * per measured beat (D/S and systolic together tell two beats apart). Polls in the page until it has them.
 */
export async function readoutOverBeats(page: Page, id: string, beats: number): Promise<number[]> {
  const token = Math.random();
  const found = await page.waitForFunction(
    ({ id, beats, token }) => {
      const w = window as unknown as { __beatWatch?: { token: number; last: string; values: number[] } };
      if (w.__beatWatch?.token !== token) w.__beatWatch = { token, last: '', values: [] };
      const watch = w.__beatWatch;
      const read = (r: string) =>
        document.querySelector(`[data-readout="${r}"] .sim-readout__value`)?.textContent ?? '';
      const text = read(id);
      const key = `${text}/${read('sys')}`;
      if (key !== watch.last && Number.isFinite(Number.parseFloat(text))) {
        watch.values.push(Number.parseFloat(text));
        watch.last = key;
      }
      return watch.values.length >= beats ? watch.values : null;
    },
    { id, beats, token },
    { polling: 50, timeout: beats * 2500 + 5000 },
  );
  return (await found.jsonValue()) as number[];
}

/**
 * Waits until the console has taken in `chunks` more trace chunks from the engine worker than it had (about
 * one per display frame) and drawn `frames` more frames: the run has advanced and the canvas has been redrawn.
 */
export async function waitForProgress(page: Page, chunks: number, frames = 0): Promise<void> {
  const before = await page.evaluate(() => window.__iecpaConsoleStats);
  await page.waitForFunction(
    ({ chunks, frames }) => {
      const now = window.__iecpaConsoleStats;
      return (now?.chunks ?? 0) >= chunks && (now?.frames ?? 0) >= frames;
    },
    { chunks: (before?.chunks ?? 0) + chunks, frames: (before?.frames ?? 0) + frames },
    { polling: 50 },
  );
}
