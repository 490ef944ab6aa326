CREATE TABLE `credential_definition_versions` (
	`id` text PRIMARY KEY NOT NULL,
	`definition_id` text NOT NULL,
	`version` integer NOT NULL,
	`title` text NOT NULL,
	`description` text NOT NULL,
	`requirements_json` text NOT NULL,
	`maintenance_json` text NOT NULL,
	`validity_months` integer NOT NULL,
	`membership_lapse` text NOT NULL,
	`requires_sign_off` integer NOT NULL,
	`created_by` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`definition_id`) REFERENCES `credential_definitions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `credential_definition_versions_unique` ON `credential_definition_versions` (`definition_id`,`version`);--> statement-breakpoint
CREATE TABLE `credential_definitions` (
	`id` text PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`current_version_id` text,
	`retired_at` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `credential_definitions_slug_unique` ON `credential_definitions` (`slug`);--> statement-breakpoint
CREATE TABLE `credential_events` (
	`id` text PRIMARY KEY NOT NULL,
	`credential_id` text NOT NULL,
	`at` integer NOT NULL,
	`actor_id` text,
	`kind` text NOT NULL,
	`from_status` text,
	`to_status` text NOT NULL,
	`reason` text,
	FOREIGN KEY (`credential_id`) REFERENCES `credentials`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`actor_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `credential_events_credential_idx` ON `credential_events` (`credential_id`,`at`);--> statement-breakpoint
CREATE TABLE `credential_reminders` (
	`credential_id` text NOT NULL,
	`days_before` integer NOT NULL,
	`period_expires_at` integer NOT NULL,
	`sent_at` integer NOT NULL,
	PRIMARY KEY(`credential_id`, `days_before`, `period_expires_at`),
	FOREIGN KEY (`credential_id`) REFERENCES `credentials`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `credentials` (
	`id` text PRIMARY KEY NOT NULL,
	`number` text NOT NULL,
	`user_id` text NOT NULL,
	`definition_id` text NOT NULL,
	`version_id` text NOT NULL,
	`status` text NOT NULL,
	`reason_class` text,
	`status_reason` text,
	`issued_at` integer,
	`period_starts_at` integer,
	`expires_at` integer,
	`earned_at` integer NOT NULL,
	`status_changed_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`status_list_index` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`definition_id`) REFERENCES `credential_definitions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`version_id`) REFERENCES `credential_definition_versions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `credentials_number_unique` ON `credentials` (`number`);--> statement-breakpoint
CREATE UNIQUE INDEX `credentials_holder_definition_unique` ON `credentials` (`user_id`,`definition_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `credentials_status_list_index_unique` ON `credentials` (`status_list_index`);--> statement-breakpoint
CREATE INDEX `credentials_status_idx` ON `credentials` (`status`,`expires_at`);--> statement-breakpoint
CREATE TABLE `registry_preferences` (
	`user_id` text PRIMARY KEY NOT NULL,
	`display_name` text NOT NULL,
	`noindex` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
