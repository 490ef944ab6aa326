ALTER TABLE `exam_attempts` ADD `released_at` integer;--> statement-breakpoint
ALTER TABLE `exam_attempts` ADD `released_by` text REFERENCES users(id);