CREATE TABLE `handbook_autosaves` (
	`document_id` text NOT NULL,
	`user_id` text NOT NULL,
	`base_revision` integer NOT NULL,
	`source` text NOT NULL,
	`saved_at` integer NOT NULL,
	PRIMARY KEY(`document_id`, `user_id`),
	FOREIGN KEY (`document_id`) REFERENCES `handbook_documents`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
