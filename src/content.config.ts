import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { z } from 'astro/zod';

/**
 * Site pages written in Markdown (mission, ethics, history, about-ecp). The file name is the slug and the
 * URL (`content/pages/ethics.md` is served at `/ethics`).
 */
const pages = defineCollection({
  loader: glob({ pattern: '*.md', base: './content/pages' }),
  schema: z.object({
    title: z.string().min(1).max(120),
    /** One or two sentences; becomes the meta description, so search results and link previews read well. */
    description: z.string().min(1).max(300),
    /** Date of the last substantive change, shown as "Updated <date>". */
    updated: z.coerce.date(),
    /** Position in navigation lists; lower comes first. */
    order: z.number().int().nonnegative(),
    /** Version of a governing document such as the code of ethics ("1.0"). */
    version: z.string().min(1).max(20).optional(),
    /** Date a versioned document takes effect. */
    effective: z.coerce.date().optional(),
  }),
});

export const collections = { pages };
