/**
 * The version of the code of ethics members accept today. It must equal the `version` in
 * content/pages/ethics.md's front matter (a unit test checks that they agree).
 */
export const CURRENT_ETHICS_VERSION = '1.0';
