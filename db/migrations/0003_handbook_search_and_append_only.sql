-- Full-text index over published handbook chapters and curriculum modules only. The service rewrites a
-- document's row when it publishes; drafts never enter it. Porter stemming so "timing" finds "timed".
CREATE VIRTUAL TABLE `handbook_search` USING fts5(
  `document_id` UNINDEXED,
  `kind` UNINDEXED,
  `slug` UNINDEXED,
  `title`,
  `body`,
  tokenize = 'porter unicode61 remove_diacritics 2'
);
--> statement-breakpoint
-- Revisions are history: their content and identity never change and they are never deleted.
CREATE TRIGGER `handbook_revisions_content_immutable` BEFORE UPDATE OF `document_id`, `revision`, `base_revision`, `body_markdown`, `front_matter`, `author_id`, `created_at` ON `handbook_revisions`
BEGIN
  SELECT RAISE(ABORT, 'handbook_revisions content is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `handbook_revisions_no_delete` BEFORE DELETE ON `handbook_revisions`
BEGIN
  SELECT RAISE(ABORT, 'handbook_revisions is append-only');
END;
