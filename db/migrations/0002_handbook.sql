CREATE TABLE `cpd_activities` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`source` text NOT NULL,
	`document_id` text,
	`title` text NOT NULL,
	`activity_date` text NOT NULL,
	`credits` real NOT NULL,
	`evidence_text` text DEFAULT '' NOT NULL,
	`evidence_url` text,
	`status` text NOT NULL,
	`reviewed_by` text,
	`review_comment` text,
	`reviewed_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`document_id`) REFERENCES `handbook_documents`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`reviewed_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `cpd_activities_user_idx` ON `cpd_activities` (`user_id`);--> statement-breakpoint
CREATE INDEX `cpd_activities_status_idx` ON `cpd_activities` (`status`);--> statement-breakpoint
CREATE UNIQUE INDEX `cpd_activities_module_unique` ON `cpd_activities` (`user_id`,`document_id`);--> statement-breakpoint
CREATE TABLE `curriculum_levels` (
	`level` integer PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`title` text NOT NULL,
	`summary` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `handbook_documents` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`slug` text NOT NULL,
	`published_revision_id` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `handbook_documents_slug_unique` ON `handbook_documents` (`kind`,`slug`);--> statement-breakpoint
CREATE TABLE `handbook_revisions` (
	`id` text PRIMARY KEY NOT NULL,
	`document_id` text NOT NULL,
	`revision` integer NOT NULL,
	`base_revision` integer,
	`body_markdown` text NOT NULL,
	`front_matter` text NOT NULL,
	`author_id` text,
	`status` text NOT NULL,
	`change_note` text DEFAULT '' NOT NULL,
	`reviewer_id` text,
	`review_comment` text,
	`published_by` text,
	`created_at` integer NOT NULL,
	`submitted_at` integer,
	`reviewed_at` integer,
	`published_at` integer,
	FOREIGN KEY (`document_id`) REFERENCES `handbook_documents`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`reviewer_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`published_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `handbook_revisions_number_unique` ON `handbook_revisions` (`document_id`,`revision`);--> statement-breakpoint
CREATE INDEX `handbook_revisions_status_idx` ON `handbook_revisions` (`status`);--> statement-breakpoint
CREATE TABLE `module_completions` (
	`user_id` text NOT NULL,
	`document_id` text NOT NULL,
	`level` integer NOT NULL,
	`cpd_credits` real NOT NULL,
	`completed_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `document_id`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`document_id`) REFERENCES `handbook_documents`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `quiz_attempts` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`document_id` text NOT NULL,
	`revision` integer NOT NULL,
	`answers` text NOT NULL,
	`correct_count` integer NOT NULL,
	`question_count` integer NOT NULL,
	`passed` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`document_id`) REFERENCES `handbook_documents`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `quiz_attempts_user_idx` ON `quiz_attempts` (`user_id`,`document_id`);--> statement-breakpoint
CREATE TABLE `reading_progress` (
	`user_id` text NOT NULL,
	`document_id` text NOT NULL,
	`completed_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `document_id`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`document_id`) REFERENCES `handbook_documents`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `simulator_exercise_records` (
	`user_id` text NOT NULL,
	`document_id` text NOT NULL,
	`source` text NOT NULL,
	`recorded_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `document_id`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`document_id`) REFERENCES `handbook_documents`(`id`) ON UPDATE no action ON DELETE no action
);
