CREATE TABLE `journal_articles` (
	`id` text PRIMARY KEY NOT NULL,
	`submission_id` text,
	`translation_id` text,
	`doi` text NOT NULL,
	`year` integer NOT NULL,
	`seq` integer NOT NULL,
	`type` text NOT NULL,
	`title` text NOT NULL,
	`language` text NOT NULL,
	`abstract_json` text NOT NULL,
	`keywords_json` text NOT NULL,
	`authors_json` text NOT NULL,
	`translators_json` text NOT NULL,
	`body_markdown` text NOT NULL,
	`references_json` text NOT NULL,
	`competing_interests` text NOT NULL,
	`device_manufacturer_ties` text NOT NULL,
	`funding` text NOT NULL,
	`received_at` integer NOT NULL,
	`revised_at` integer,
	`accepted_at` integer NOT NULL,
	`published_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`pdf_stored_name` text,
	`issue_id` text,
	`translation_of_article_id` text,
	`original_json` text,
	`retracted` integer NOT NULL,
	`licence_url` text NOT NULL,
	FOREIGN KEY (`submission_id`) REFERENCES `journal_submissions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`issue_id`) REFERENCES `journal_issues`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `journal_articles_doi_unique` ON `journal_articles` (`doi`);--> statement-breakpoint
CREATE UNIQUE INDEX `journal_articles_year_seq` ON `journal_articles` (`year`,`seq`);--> statement-breakpoint
CREATE INDEX `journal_articles_published_idx` ON `journal_articles` (`published_at`);--> statement-breakpoint
CREATE INDEX `journal_articles_updated_idx` ON `journal_articles` (`updated_at`,`id`);--> statement-breakpoint
CREATE TABLE `journal_decisions` (
	`id` text PRIMARY KEY NOT NULL,
	`submission_id` text NOT NULL,
	`round` integer NOT NULL,
	`editor_id` text NOT NULL,
	`decision` text NOT NULL,
	`letter` text NOT NULL,
	`at` integer NOT NULL,
	FOREIGN KEY (`submission_id`) REFERENCES `journal_submissions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`editor_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `journal_decisions_sub_idx` ON `journal_decisions` (`submission_id`,`at`);--> statement-breakpoint
CREATE TABLE `journal_editors` (
	`user_id` text PRIMARY KEY NOT NULL,
	`chief` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `journal_events` (
	`id` text PRIMARY KEY NOT NULL,
	`submission_id` text NOT NULL,
	`at` integer NOT NULL,
	`actor_id` text,
	`kind` text NOT NULL,
	`message` text NOT NULL,
	`author_visible` integer NOT NULL,
	FOREIGN KEY (`submission_id`) REFERENCES `journal_submissions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`actor_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `journal_events_sub_idx` ON `journal_events` (`submission_id`,`at`);--> statement-breakpoint
CREATE TABLE `journal_files` (
	`id` text PRIMARY KEY NOT NULL,
	`submission_id` text NOT NULL,
	`kind` text NOT NULL,
	`round` integer NOT NULL,
	`stored_name` text NOT NULL,
	`original_name` text NOT NULL,
	`mime_type` text NOT NULL,
	`size_bytes` integer NOT NULL,
	`uploaded_by` text NOT NULL,
	`uploaded_at` integer NOT NULL,
	FOREIGN KEY (`submission_id`) REFERENCES `journal_submissions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`uploaded_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `journal_files_sub_idx` ON `journal_files` (`submission_id`,`kind`);--> statement-breakpoint
CREATE TABLE `journal_issues` (
	`id` text PRIMARY KEY NOT NULL,
	`volume` integer NOT NULL,
	`number` integer NOT NULL,
	`year` integer NOT NULL,
	`cover_text` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `journal_issues_vol_num` ON `journal_issues` (`volume`,`number`);--> statement-breakpoint
CREATE TABLE `journal_notices` (
	`id` text PRIMARY KEY NOT NULL,
	`article_id` text NOT NULL,
	`kind` text NOT NULL,
	`text` text NOT NULL,
	`published_at` integer NOT NULL,
	`created_by` text,
	FOREIGN KEY (`article_id`) REFERENCES `journal_articles`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `journal_notices_article_idx` ON `journal_notices` (`article_id`,`published_at`);--> statement-breakpoint
CREATE TABLE `journal_reviews` (
	`id` text PRIMARY KEY NOT NULL,
	`submission_id` text NOT NULL,
	`round` integer NOT NULL,
	`reviewer_id` text NOT NULL,
	`invited_by` text NOT NULL,
	`status` text NOT NULL,
	`invited_at` integer NOT NULL,
	`due_at` integer NOT NULL,
	`responded_at` integer,
	`reminded_at` integer,
	`overdue_at` integer,
	`recommendation` text,
	`comments_to_authors` text NOT NULL,
	`comments_to_editor` text NOT NULL,
	`annotated_file_id` text,
	`submitted_at` integer,
	FOREIGN KEY (`submission_id`) REFERENCES `journal_submissions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`reviewer_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`invited_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `journal_reviews_sub_idx` ON `journal_reviews` (`submission_id`,`round`);--> statement-breakpoint
CREATE INDEX `journal_reviews_reviewer_idx` ON `journal_reviews` (`reviewer_id`,`status`);--> statement-breakpoint
CREATE UNIQUE INDEX `journal_reviews_one_per_round` ON `journal_reviews` (`submission_id`,`round`,`reviewer_id`);--> statement-breakpoint
CREATE TABLE `journal_submission_authors` (
	`id` text PRIMARY KEY NOT NULL,
	`submission_id` text NOT NULL,
	`position` integer NOT NULL,
	`given_names` text NOT NULL,
	`surname` text NOT NULL,
	`email` text NOT NULL,
	`orcid` text NOT NULL,
	`affiliation` text NOT NULL,
	`country` text NOT NULL,
	`corresponding` integer NOT NULL,
	FOREIGN KEY (`submission_id`) REFERENCES `journal_submissions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `journal_submission_authors_sub_idx` ON `journal_submission_authors` (`submission_id`,`position`);--> statement-breakpoint
CREATE TABLE `journal_submissions` (
	`id` text PRIMARY KEY NOT NULL,
	`submitter_id` text NOT NULL,
	`status` text NOT NULL,
	`type` text NOT NULL,
	`title` text NOT NULL,
	`abstract_json` text NOT NULL,
	`keywords_json` text NOT NULL,
	`language` text NOT NULL,
	`cover_letter` text NOT NULL,
	`competing_interests` text NOT NULL,
	`device_manufacturer_ties` text NOT NULL,
	`funding` text NOT NULL,
	`ethics_approval` text NOT NULL,
	`consent` text NOT NULL,
	`registration` text NOT NULL,
	`data_availability` text NOT NULL,
	`handling_editor_id` text,
	`round` integer NOT NULL,
	`body_markdown` text NOT NULL,
	`references_json` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`submitted_at` integer,
	`revised_at` integer,
	`accepted_at` integer,
	`decided_at` integer,
	FOREIGN KEY (`submitter_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`handling_editor_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `journal_submissions_submitter_idx` ON `journal_submissions` (`submitter_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `journal_submissions_status_idx` ON `journal_submissions` (`status`,`submitted_at`);--> statement-breakpoint
CREATE TABLE `journal_translations` (
	`id` text PRIMARY KEY NOT NULL,
	`status` text NOT NULL,
	`source_article_id` text,
	`source_language` text NOT NULL,
	`original_title` text NOT NULL,
	`original_abstract` text NOT NULL,
	`original_citation` text NOT NULL,
	`original_doi` text NOT NULL,
	`original_url` text NOT NULL,
	`rights_statement` text NOT NULL,
	`authors_json` text NOT NULL,
	`translator_id` text NOT NULL,
	`reviewer_id` text NOT NULL,
	`accepted_by` text NOT NULL,
	`title` text NOT NULL,
	`abstract_json` text NOT NULL,
	`keywords_json` text NOT NULL,
	`body_markdown` text NOT NULL,
	`review_comments` text NOT NULL,
	`article_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`source_article_id`) REFERENCES `journal_articles`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`translator_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`reviewer_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`accepted_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `journal_translations_translator_idx` ON `journal_translations` (`translator_id`,`status`);--> statement-breakpoint
-- Full-text index over published articles only (as handbook_search, 0003): the service writes an article's
-- row when it publishes it; submissions never enter it. Porter stemming so "counterpulsation" finds
-- "counterpulsations".
CREATE VIRTUAL TABLE `journal_search` USING fts5(
  `article_id` UNINDEXED,
  `title`,
  `abstract`,
  `keywords`,
  `body`,
  `authors`,
  tokenize = 'porter unicode61 remove_diacritics 2'
);
--> statement-breakpoint
-- Notices are the record of corrections and retractions: never edited or deleted.
CREATE TRIGGER `journal_notices_append_only` BEFORE UPDATE ON `journal_notices`
BEGIN
  SELECT RAISE(ABORT, 'journal_notices is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `journal_notices_no_delete` BEFORE DELETE ON `journal_notices`
BEGIN
  SELECT RAISE(ABORT, 'journal_notices is append-only');
END;
