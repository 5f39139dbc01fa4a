CREATE TABLE "import_batches" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"status" text DEFAULT 'importing' NOT NULL,
	"imported_by" text NOT NULL,
	"importer_user_id" uuid,
	"importer_key_id" uuid,
	"source" text,
	"created" integer DEFAULT 0 NOT NULL,
	"updated" integer DEFAULT 0 NOT NULL,
	"unchanged" integer DEFAULT 0 NOT NULL,
	"errors" integer DEFAULT 0 NOT NULL,
	"reviewer_id" uuid,
	"review_comment" text,
	"reviewed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "answer_versions" ADD COLUMN "import_batch_id" uuid;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "created_by" text;--> statement-breakpoint
ALTER TABLE "bot_sessions" ADD COLUMN "owner" text;--> statement-breakpoint
ALTER TABLE "bot_sessions" ADD COLUMN "client_id" uuid;--> statement-breakpoint
ALTER TABLE "import_batches" ADD CONSTRAINT "import_batches_importer_user_id_users_id_fk" FOREIGN KEY ("importer_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_batches" ADD CONSTRAINT "import_batches_reviewer_id_users_id_fk" FOREIGN KEY ("reviewer_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "import_batches_status_idx" ON "import_batches" USING btree ("status");--> statement-breakpoint
CREATE INDEX "answer_versions_import_batch_idx" ON "answer_versions" USING btree ("import_batch_id");--> statement-breakpoint
CREATE UNIQUE INDEX "bot_sessions_owner_client_uq" ON "bot_sessions" USING btree ("owner","client_id");--> statement-breakpoint
-- Keys minted before created_by existed: the minter from the audit trail (self-minted keys keep approving; others never do).
UPDATE "api_keys" k SET "created_by" = CASE WHEN a."actor_kind" = 'master' THEN 'master' ELSE a."actor_id" END FROM "audit_log" a WHERE a."action" = 'api_key.created' AND a."entity_id" = k."id"::text AND a."actor_kind" IN ('master', 'user');--> statement-breakpoint
-- Existing chat sessions belong to the key or user that opened them.
UPDATE "bot_sessions" SET "owner" = CASE WHEN "api_key_id" IS NOT NULL THEN 'key:' || "api_key_id" WHEN "user_id" IS NOT NULL THEN 'user:' || "user_id" END;
