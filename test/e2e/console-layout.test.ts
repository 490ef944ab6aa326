import { expect, test } from 'vitest';
import { blockingAxeViolations, saveScreenshot } from '#test/helpers/axe.ts';
import { usePortal } from '#test/helpers/e2e-portal.ts';

const portal = usePortal({ shared: true });

/**
 * Issue 13: with the traces in view, the timing and pressure controls must be in view too, so that an
 * operator sees what a change does while making it. The console's toolbar is scrolled to the top of the
 * window (as a practitioner working on it would) and every control group must end inside the window.
 */
for (const viewport of [
  { width: 1366, height: 768 },
  { width: 1280, height: 720 },
]) {
  test(`at ${viewport.width}x${viewport.height} the traces and the timing and pressure controls fit one screen`, async () => {
    const page = await portal.newPage();
    await page.setViewportSize(viewport);
    await page.goto(`${portal.server.url}/simulator`);
    await page.getByRole('button', { name: 'Start' }).waitFor();
    await page.locator('.sim-toolbar').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    const canvas = await page.locator('.sim-canvas').boundingBox();
    expect(canvas?.y ?? -1).toBeGreaterThanOrEqual(0);
    for (const name of ['Timing', 'Pressure and cuffs']) {
      const group = await page.locator('.sim-controls').getByRole('group', { name, exact: true }).boundingBox();
      if (!group) throw new Error(`no ${name} group`);
      expect(group.y + group.height, name).toBeLessThanOrEqual(viewport.height);
    }
    await saveScreenshot(page, `console-${viewport.width}x${viewport.height}`);
    expect(await blockingAxeViolations(page)).toEqual([]);
    await page.close();
  });
}
