ALTER TABLE `journal_issues` ADD `published_at` integer;--> statement-breakpoint
ALTER TABLE `journal_reviews` ADD `annotation_shared_at` integer;