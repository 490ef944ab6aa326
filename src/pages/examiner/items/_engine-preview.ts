/**
 * The engine item's "Preview the frame and key" button, for the new-item and edit pages: the frozen frame and
 * the engine's key for the fields as they stand, or the fields' errors. Nothing is saved.
 */
import type { getCaller } from '#src/server/api/context.ts';
import { runForm } from '#src/server/forms.ts';
import { statusForCode } from '#src/server/refusal.ts';
import { engineSpecOnly, type ItemFormValues } from './_item-form.ts';

export interface EngineFrame {
  caption: string;
  keyText: string;
  beatClass: string;
  frameSvg: string;
}

export type EnginePreview =
  | { ok: true; frame: EngineFrame }
  | { ok: false; errors: Record<string, string>; formErrors: string[]; status: number };

export async function previewEngineFields(
  caller: Awaited<ReturnType<typeof getCaller>>,
  values: ItemFormValues,
  caption: string,
): Promise<EnginePreview> {
  const { spec, errors } = engineSpecOnly(values);
  if (Object.keys(errors).length > 0) {
    return { ok: false, errors, formErrors: ['Nothing was previewed: some fields need your attention.'], status: 400 };
  }
  const preview = await runForm(() => caller.exams.previewEngineItem({ engine: spec }));
  if (preview.ok) return { ok: true, frame: { caption, ...preview.value } };
  return { ok: false, errors: preview.fieldErrors, formErrors: [preview.message], status: statusForCode(preview.code) };
}
