CREATE TABLE `simulator_assessment_versions` (
	`id` text PRIMARY KEY NOT NULL,
	`assessment_id` text NOT NULL,
	`version` integer NOT NULL,
	`title` text NOT NULL,
	`scenario_id` text NOT NULL,
	`seed_policy` text NOT NULL,
	`fixed_seed` integer,
	`duration_ms` integer NOT NULL,
	`events_json` text NOT NULL,
	`rubric_json` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`assessment_id`) REFERENCES `simulator_assessments`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `simulator_assessment_versions_unique` ON `simulator_assessment_versions` (`assessment_id`,`version`);--> statement-breakpoint
CREATE TABLE `simulator_assessments` (
	`id` text PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`scenario_id` text NOT NULL,
	`seed_policy` text NOT NULL,
	`fixed_seed` integer,
	`duration_ms` integer NOT NULL,
	`events_json` text NOT NULL,
	`rubric_json` text NOT NULL,
	`attempts_allowed` integer NOT NULL,
	`cooldown_ms` integer NOT NULL,
	`opens_at` integer NOT NULL,
	`closes_at` integer,
	`status` text NOT NULL,
	`version` integer NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `simulator_assessments_status_idx` ON `simulator_assessments` (`status`);--> statement-breakpoint
CREATE TABLE `simulator_attempt_annotations` (
	`id` text PRIMARY KEY NOT NULL,
	`attempt_id` text NOT NULL,
	`examiner_id` text NOT NULL,
	`beat_index` integer,
	`text` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`attempt_id`) REFERENCES `simulator_attempts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`examiner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `simulator_attempt_annotations_attempt_idx` ON `simulator_attempt_annotations` (`attempt_id`);--> statement-breakpoint
CREATE TABLE `simulator_attempts` (
	`id` text PRIMARY KEY NOT NULL,
	`assessment_id` text NOT NULL,
	`version_id` text NOT NULL,
	`candidate_id` text NOT NULL,
	`seed` integer NOT NULL,
	`started_at` integer NOT NULL,
	`deadline_at` integer NOT NULL,
	`submitted_at` integer,
	`control_log_json` text,
	`score` real,
	`passed` integer,
	`breakdown_json` text,
	`evidence_json` text,
	`flags_json` text NOT NULL,
	FOREIGN KEY (`assessment_id`) REFERENCES `simulator_assessments`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`version_id`) REFERENCES `simulator_assessment_versions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`candidate_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `simulator_attempts_candidate_idx` ON `simulator_attempts` (`candidate_id`,`assessment_id`);--> statement-breakpoint
CREATE INDEX `simulator_attempts_assessment_idx` ON `simulator_attempts` (`assessment_id`,`started_at`);--> statement-breakpoint
CREATE TABLE `simulator_practice_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`scenario_id` text NOT NULL,
	`seed` integer NOT NULL,
	`duration_ms` integer NOT NULL,
	`control_log_json` text NOT NULL,
	`summary_json` text NOT NULL,
	`score` real NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `simulator_practice_sessions_user_idx` ON `simulator_practice_sessions` (`user_id`,`created_at`);