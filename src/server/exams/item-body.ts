/**
 * What an item version delivers and grades (its body), derived from the authored source; and the part of
 * it a candidate may see before submission (never the key, the rationale or anything derived from them).
 */
import type { Choice, GradableItem } from './grading.ts';
import { ENGINE_CLASSES, ENGINE_OPTION_TEXTS, type EngineClass, type ItemSource } from './item-format.ts';

export interface ItemImage {
  src: string;
  alt: string;
}

export type ItemBody = GradableItem & {
  stem: string;
  rationale: string;
  references: string[];
  image: ItemImage | null;
  /** Engine items: the frozen console frame, an SVG document. */
  frameSvg: string | null;
};

/** What the engine said about an engine item's beat, from the importer (exam-engine-items.ts). */
export interface EngineOutcome {
  beatClass: EngineClass;
  frameSvg: string;
}

/** The standard explanation of each class, added to engine items without a rationale of their own. */
export const ENGINE_RATIONALES: Record<EngineClass, string> = {
  'early-inflation':
    'The cuffs pressurise before the aortic valve has closed: augmentation collides with ejection and raises the load on the ventricle. Inflate later, at the dicrotic notch.',
  'late-inflation':
    'Augmentation arrives well after the dicrotic notch: part of diastole goes unassisted and the diastolic wave is lower and delayed. Inflate earlier.',
  'early-deflation':
    'The cuffs empty long before the next ejection: augmentation is narrow and the end-diastolic pressure is not lowered. Deflate later.',
  'late-deflation':
    'The cuffs are still pressurised when the next ejection begins: the ventricle ejects against them. Deflate earlier.',
  ok: 'Augmentation arrives at the dicrotic notch and the cuffs are empty before the next ejection: the timing is correct and needs no change.',
};

/** The body of a non-engine item, or of an engine item given the engine's outcome. */
export function bodyFromSource(source: ItemSource, engine: EngineOutcome | null): ItemBody {
  const common = {
    stem: source.stem,
    references: source.references,
    image: source.image ?? null,
    frameSvg: null as string | null,
  };
  switch (source.type) {
    case 'single':
      return { ...common, type: 'single', options: source.options, key: source.key, rationale: source.rationale };
    case 'multiple':
      return {
        ...common,
        type: 'multiple',
        options: source.options,
        key: source.key,
        scoring: source.scoring,
        rationale: source.rationale,
      };
    case 'true-false':
      return { ...common, type: 'true-false', key: source.key, rationale: source.rationale };
    case 'matching':
      return {
        ...common,
        type: 'matching',
        prompts: source.prompts,
        choices: source.choices,
        key: source.key,
        rationale: source.rationale,
      };
    case 'numeric':
      return { ...common, type: 'numeric', key: source.key, rationale: source.rationale };
    case 'engine': {
      if (!engine) throw new Error(`Engine item ${source.ref} needs the engine's outcome`);
      const texts = ENGINE_OPTION_TEXTS[source.engine.ask];
      const options: Choice[] = ENGINE_CLASSES.map((cls) => ({ id: cls, text: texts[cls] }));
      return {
        ...common,
        type: 'engine',
        options,
        key: [engine.beatClass],
        rationale: source.rationale ?? ENGINE_RATIONALES[engine.beatClass],
        frameSvg: engine.frameSvg,
      };
    }
  }
}

/** An item as a candidate sees it during an attempt: no key, no rationale. */
export interface PublicItem {
  type: ItemBody['type'];
  stem: string;
  options: Choice[] | null;
  prompts: Choice[] | null;
  choices: Choice[] | null;
  /** Numeric items: the unit shown beside the input. */
  unit: string | null;
  scoring: 'all-or-nothing' | 'partial' | null;
  image: ItemImage | null;
  frameSvg: string | null;
}

export function publicItem(body: ItemBody): PublicItem {
  return {
    type: body.type,
    stem: body.stem,
    options: 'options' in body ? body.options : null,
    prompts: body.type === 'matching' ? body.prompts : null,
    choices: body.type === 'matching' ? body.choices : null,
    unit: body.type === 'numeric' ? body.key.unit : null,
    scoring: body.type === 'multiple' ? body.scoring : null,
    image: body.image,
    frameSvg: body.frameSvg,
  };
}
