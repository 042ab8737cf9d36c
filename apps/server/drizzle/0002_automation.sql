CREATE TABLE `metric_windows` (
	`environment_id` integer NOT NULL,
	`flag_key` text NOT NULL,
	`variant` text NOT NULL,
	`metric` text NOT NULL,
	`window_start` integer NOT NULL,
	`count` integer NOT NULL,
	`sum` real NOT NULL,
	`buckets` text NOT NULL,
	PRIMARY KEY(`environment_id`, `flag_key`, `variant`, `metric`, `window_start`),
	FOREIGN KEY (`environment_id`) REFERENCES `environments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `metric_windows_start` ON `metric_windows` (`window_start`);--> statement-breakpoint
CREATE TABLE `rollout_plans` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`flag_id` integer NOT NULL,
	`environment_id` integer NOT NULL,
	`variant` text NOT NULL,
	`steps` text NOT NULL,
	`guards` text NOT NULL,
	`on_breach` text NOT NULL,
	`state` text NOT NULL,
	`current_step` integer DEFAULT 0 NOT NULL,
	`step_started_at` integer,
	`held_ms` integer DEFAULT 0 NOT NULL,
	`breach` text,
	`version` integer NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`flag_id`) REFERENCES `flags`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`environment_id`) REFERENCES `environments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `rollout_plans_flag_environment` ON `rollout_plans` (`flag_id`,`environment_id`);--> statement-breakpoint
CREATE INDEX `rollout_plans_state` ON `rollout_plans` (`state`);--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`webhook_id` text NOT NULL,
	`audit_id` integer NOT NULL,
	`payload` text NOT NULL,
	`state` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`last_attempt_at` integer,
	`response_status` integer,
	`error` text,
	`created_at` integer NOT NULL,
	`delivered_at` integer,
	FOREIGN KEY (`webhook_id`) REFERENCES `webhooks`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `webhook_deliveries_due` ON `webhook_deliveries` (`state`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_webhook` ON `webhook_deliveries` (`webhook_id`,`id`);--> statement-breakpoint
CREATE TABLE `webhooks` (
	`id` text PRIMARY KEY NOT NULL,
	`url` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`events` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`disabled_at` integer
);
--> statement-breakpoint
ALTER TABLE `audit_log` ADD `details` text;