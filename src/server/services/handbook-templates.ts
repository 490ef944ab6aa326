/** Starting texts with every required front matter field, so a new document validates once filled in. */
export const NEW_DOCUMENT_TEMPLATES: Record<'chapter' | 'module', string> = {
  chapter: `---
title: New chapter title
slug: new-chapter-slug
part: "Part I — Foundations"
partOrder: 1
order: 99
summary: One or two sentences on what the chapter covers.
---

## First section

Text of the chapter, with sources cited as [1].

## Sources

1. Author A, Author B. Title. Journal. Year;Volume:Pages.
`,
  module: `---
title: "Module N: Title"
slug: l1-new-module-slug
level: 1
order: 99
summary: One or two sentences on what the module teaches.
objectives:
  - "First learning objective."
estimatedHours: 1
cpdCredits: 1
reading:
  - { chapter: physiology-of-counterpulsation }
passMark: 0.8
quiz:
  - id: q1
    prompt: "Question?"
    kind: single
    options:
      - { id: a, text: "First option" }
      - { id: b, text: "Second option" }
    correct: [ a ]
    explanation: "Why a is right."
---

## Introduction

Text of the module.
`,
};
