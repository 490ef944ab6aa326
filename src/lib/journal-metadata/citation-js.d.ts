/**
 * The part of citation-js's API that citations.ts uses (the packages ship no type declarations).
 * https://citation.js.org/api/0.7/Cite.html#format
 */
declare module '@citation-js/core' {
  export class Cite {
    constructor(data: unknown);
    format(
      type: 'bibliography' | 'citation' | 'data',
      options?: { format?: 'text' | 'html'; template?: string; lang?: string },
    ): string;
  }
}

declare module '@citation-js/plugin-csl';
