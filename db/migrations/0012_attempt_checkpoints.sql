-- Simulator attempts report their run to the server while it goes (checkpoints of the control log) and
-- show the candidate a display seed while the scored seed stays secret until scoring; practice sessions
-- keep the seed shown apart from the one the server scored with (issue 14, finding 1). Runs start from
-- settings drawn per attempt within the examiner's mistiming range (issue 13).
ALTER TABLE `simulator_assessment_versions` ADD `start_mistiming_ms` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `simulator_assessments` ADD `start_mistiming_ms` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `simulator_attempts` ADD `display_seed` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `simulator_attempts` ADD `run_started_at` integer;--> statement-breakpoint
ALTER TABLE `simulator_attempts` ADD `checkpoint_at` integer;--> statement-breakpoint
ALTER TABLE `simulator_attempts` ADD `checkpoint_through_ms` real;--> statement-breakpoint
ALTER TABLE `simulator_attempts` ADD `checkpoint_log_json` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `simulator_attempts` ADD `voided_at` integer;--> statement-breakpoint
ALTER TABLE `simulator_attempts` ADD `void_reason` text;--> statement-breakpoint
ALTER TABLE `simulator_attempts` ADD `start_settings_json` text;--> statement-breakpoint
ALTER TABLE `simulator_practice_sessions` ADD `display_seed` integer;