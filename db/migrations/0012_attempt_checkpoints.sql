ALTER TABLE `simulator_attempts` ADD `display_seed` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `simulator_attempts` ADD `run_started_at` integer;--> statement-breakpoint
ALTER TABLE `simulator_attempts` ADD `checkpoint_log_json` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `simulator_attempts` ADD `last_checkpoint_at` integer;--> statement-breakpoint
ALTER TABLE `simulator_attempts` ADD `last_checkpoint_sim_ms` integer;--> statement-breakpoint
ALTER TABLE `simulator_attempts` ADD `scoring_started_at` integer;--> statement-breakpoint
ALTER TABLE `simulator_practice_sessions` ADD `scoring_seed` integer;