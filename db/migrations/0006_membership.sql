CREATE TABLE `account_closure_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`requested_at` integer NOT NULL,
	`reason` text NOT NULL,
	`status` text NOT NULL,
	`decided_by` text,
	`decided_at` integer,
	`decision_note` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`decided_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `account_closure_requests_status_idx` ON `account_closure_requests` (`status`,`requested_at`);--> statement-breakpoint
CREATE TABLE `member_profiles` (
	`user_id` text PRIMARY KEY NOT NULL,
	`bio` text NOT NULL,
	`bio_visibility` text NOT NULL,
	`practice_name` text NOT NULL,
	`city` text NOT NULL,
	`country` text NOT NULL,
	`location_visibility` text NOT NULL,
	`languages_json` text NOT NULL,
	`languages_visibility` text NOT NULL,
	`specialties_json` text NOT NULL,
	`specialties_visibility` text NOT NULL,
	`photo_stored_name` text,
	`photo_mime_type` text,
	`photo_visibility` text NOT NULL,
	`listed` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `membership_application_events` (
	`id` text PRIMARY KEY NOT NULL,
	`application_id` text NOT NULL,
	`at` integer NOT NULL,
	`actor_id` text,
	`kind` text NOT NULL,
	`message` text NOT NULL,
	FOREIGN KEY (`application_id`) REFERENCES `membership_applications`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`actor_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `membership_application_events_app_idx` ON `membership_application_events` (`application_id`,`at`);--> statement-breakpoint
CREATE TABLE `membership_applications` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`category_id` text NOT NULL,
	`status` text NOT NULL,
	`profession` text NOT NULL,
	`licence_number` text NOT NULL,
	`licence_issuer` text NOT NULL,
	`institution` text NOT NULL,
	`country` text NOT NULL,
	`years_ecp_practice` integer NOT NULL,
	`treatments_supervised` integer NOT NULL,
	`languages_json` text NOT NULL,
	`ethics_version` text,
	`ethics_accepted_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`submitted_at` integer,
	`decided_at` integer,
	`decided_by` text,
	`decision_reason` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`category_id`) REFERENCES `membership_categories`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`decided_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `membership_applications_user_idx` ON `membership_applications` (`user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `membership_applications_status_idx` ON `membership_applications` (`status`,`submitted_at`);--> statement-breakpoint
CREATE TABLE `membership_categories` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`description` text NOT NULL,
	`term` text NOT NULL,
	`evidence_required` text NOT NULL,
	`min_documents` integer NOT NULL,
	`applicants` text NOT NULL,
	`eligible_professions_json` text NOT NULL,
	`archived` integer NOT NULL,
	`sort_order` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `membership_documents` (
	`id` text PRIMARY KEY NOT NULL,
	`application_id` text NOT NULL,
	`user_id` text NOT NULL,
	`original_name` text NOT NULL,
	`stored_name` text NOT NULL,
	`mime_type` text NOT NULL,
	`size_bytes` integer NOT NULL,
	`sha256` text NOT NULL,
	`uploaded_at` integer NOT NULL,
	FOREIGN KEY (`application_id`) REFERENCES `membership_applications`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `membership_documents_app_idx` ON `membership_documents` (`application_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `membership_documents_stored_unique` ON `membership_documents` (`stored_name`);--> statement-breakpoint
CREATE TABLE `membership_events` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`at` integer NOT NULL,
	`actor_id` text,
	`kind` text NOT NULL,
	`from_status` text,
	`to_status` text,
	`reason` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `membership_events_user_idx` ON `membership_events` (`user_id`,`at`);--> statement-breakpoint
CREATE TABLE `membership_number_sequences` (
	`year` integer PRIMARY KEY NOT NULL,
	`last_number` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `membership_payments` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`reference` text NOT NULL,
	`note` text NOT NULL,
	`recorded_by` text,
	`recorded_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`recorded_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `membership_payments_user_idx` ON `membership_payments` (`user_id`,`recorded_at`);--> statement-breakpoint
CREATE TABLE `membership_reminders` (
	`user_id` text NOT NULL,
	`kind` text NOT NULL,
	`period_expires_at` integer NOT NULL,
	`sent_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `kind`, `period_expires_at`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `memberships` (
	`user_id` text PRIMARY KEY NOT NULL,
	`category_id` text NOT NULL,
	`number` text,
	`status` text NOT NULL,
	`joined_at` integer,
	`current_period_starts_at` integer,
	`expires_at` integer,
	`status_changed_at` integer NOT NULL,
	`status_reason` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`category_id`) REFERENCES `membership_categories`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `memberships_number_unique` ON `memberships` (`number`);--> statement-breakpoint
CREATE INDEX `memberships_status_idx` ON `memberships` (`status`,`expires_at`);--> statement-breakpoint
CREATE TABLE `scheduled_job_runs` (
	`name` text PRIMARY KEY NOT NULL,
	`last_started_at` integer NOT NULL,
	`last_finished_at` integer,
	`last_result` text
);
--> statement-breakpoint
ALTER TABLE `users` ADD `erased_at` integer;