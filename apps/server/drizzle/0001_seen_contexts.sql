CREATE TABLE `seen_contexts` (
	`environment_id` integer NOT NULL,
	`context_key` text NOT NULL,
	`context` text NOT NULL,
	`last_seen` integer NOT NULL,
	PRIMARY KEY(`environment_id`, `context_key`),
	FOREIGN KEY (`environment_id`) REFERENCES `environments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `seen_contexts_recent` ON `seen_contexts` (`environment_id`,`last_seen`);