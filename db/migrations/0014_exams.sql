CREATE TABLE `exam_accommodations` (
	`exam_id` text NOT NULL,
	`candidate_id` text NOT NULL,
	`extra_time_ms` integer NOT NULL,
	`granted_by` text NOT NULL,
	`granted_at` integer NOT NULL,
	PRIMARY KEY(`exam_id`, `candidate_id`),
	FOREIGN KEY (`exam_id`) REFERENCES `exams`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`candidate_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`granted_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `exam_angoff_ratings` (
	`exam_id` text NOT NULL,
	`item_id` text NOT NULL,
	`rater_id` text NOT NULL,
	`probability` real NOT NULL,
	`rated_at` integer NOT NULL,
	PRIMARY KEY(`exam_id`, `item_id`, `rater_id`),
	FOREIGN KEY (`exam_id`) REFERENCES `exams`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`item_id`) REFERENCES `exam_items`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`rater_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `exam_answers` (
	`attempt_id` text NOT NULL,
	`item_version_id` text NOT NULL,
	`answer_json` text,
	`flagged` integer DEFAULT false NOT NULL,
	`saved_at` integer NOT NULL,
	`score` real,
	PRIMARY KEY(`attempt_id`, `item_version_id`),
	FOREIGN KEY (`attempt_id`) REFERENCES `exam_attempts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`item_version_id`) REFERENCES `exam_item_versions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `exam_attempts` (
	`id` text PRIMARY KEY NOT NULL,
	`exam_id` text NOT NULL,
	`candidate_id` text NOT NULL,
	`attempt_number` integer NOT NULL,
	`seed` integer NOT NULL,
	`item_version_ids_json` text NOT NULL,
	`started_at` integer NOT NULL,
	`deadline_at` integer NOT NULL,
	`extra_time_ms` integer NOT NULL,
	`submitted_at` integer,
	`submitted_by` text,
	`voided_at` integer,
	`void_reason` text,
	`score` real,
	`max_score` integer,
	`percent` real,
	`passed` integer,
	`pass_percent` real,
	`subscores_json` text,
	FOREIGN KEY (`exam_id`) REFERENCES `exams`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`candidate_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `exam_attempts_candidate_idx` ON `exam_attempts` (`candidate_id`,`exam_id`);--> statement-breakpoint
CREATE INDEX `exam_attempts_exam_idx` ON `exam_attempts` (`exam_id`,`started_at`);--> statement-breakpoint
CREATE INDEX `exam_attempts_open_idx` ON `exam_attempts` (`submitted_at`,`deadline_at`);--> statement-breakpoint
CREATE TABLE `exam_item_flags` (
	`id` text PRIMARY KEY NOT NULL,
	`exam_id` text NOT NULL,
	`item_id` text NOT NULL,
	`version_id` text NOT NULL,
	`reasons_json` text NOT NULL,
	`created_at` integer NOT NULL,
	`resolved_at` integer,
	`resolved_by` text,
	`resolution` text,
	FOREIGN KEY (`exam_id`) REFERENCES `exams`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`item_id`) REFERENCES `exam_items`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`version_id`) REFERENCES `exam_item_versions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`resolved_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `exam_item_flags_open_unique` ON `exam_item_flags` (`exam_id`,`version_id`);--> statement-breakpoint
CREATE TABLE `exam_item_reviews` (
	`id` text PRIMARY KEY NOT NULL,
	`item_id` text NOT NULL,
	`version_id` text NOT NULL,
	`reviewer_id` text,
	`decision` text NOT NULL,
	`comment` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`item_id`) REFERENCES `exam_items`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`version_id`) REFERENCES `exam_item_versions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`reviewer_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `exam_item_reviews_item_idx` ON `exam_item_reviews` (`item_id`);--> statement-breakpoint
CREATE TABLE `exam_item_versions` (
	`id` text PRIMARY KEY NOT NULL,
	`item_id` text NOT NULL,
	`version` integer NOT NULL,
	`type` text NOT NULL,
	`category` text NOT NULL,
	`difficulty` text NOT NULL,
	`language` text NOT NULL,
	`source_json` text NOT NULL,
	`body_json` text NOT NULL,
	`content_hash` text NOT NULL,
	`author_id` text,
	`created_at` integer NOT NULL,
	`delivered_at` integer,
	FOREIGN KEY (`item_id`) REFERENCES `exam_items`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `exam_item_versions_unique` ON `exam_item_versions` (`item_id`,`version`);--> statement-breakpoint
CREATE TABLE `exam_items` (
	`id` text PRIMARY KEY NOT NULL,
	`ref` text NOT NULL,
	`bank` text NOT NULL,
	`status` text NOT NULL,
	`current_version_id` text,
	`author_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `exam_items_ref_unique` ON `exam_items` (`ref`);--> statement-breakpoint
CREATE INDEX `exam_items_bank_status_idx` ON `exam_items` (`bank`,`status`);--> statement-breakpoint
CREATE TABLE `exam_statistics` (
	`exam_id` text PRIMARY KEY NOT NULL,
	`statistics_json` text NOT NULL,
	`computed_at` integer NOT NULL,
	FOREIGN KEY (`exam_id`) REFERENCES `exams`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `exams` (
	`id` text PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`title` text NOT NULL,
	`bank` text NOT NULL,
	`practice` integer NOT NULL,
	`time_limit_ms` integer NOT NULL,
	`attempts_allowed` integer,
	`cooldown_ms` integer NOT NULL,
	`pass_method` text NOT NULL,
	`pass_percent` real,
	`release` text NOT NULL,
	`blueprint_json` text NOT NULL,
	`opens_at` integer NOT NULL,
	`closes_at` integer,
	`status` text NOT NULL,
	`created_by` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `exams_slug_unique` ON `exams` (`slug`);--> statement-breakpoint
-- A delivered item version is frozen: attempts score against it, so what it asks and keys never changes.
CREATE TRIGGER `exam_item_versions_frozen_once_delivered` BEFORE UPDATE ON `exam_item_versions`
WHEN OLD.`delivered_at` IS NOT NULL AND (NEW.`body_json` IS NOT OLD.`body_json` OR NEW.`source_json` IS NOT OLD.`source_json` OR NEW.`content_hash` IS NOT OLD.`content_hash`)
BEGIN
  SELECT RAISE(ABORT, 'exam item version is frozen once delivered');
END;
