CREATE TABLE "bot_sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"channel" text,
	"api_key_id" uuid,
	"user_id" uuid,
	"unconfident_turns" integer DEFAULT 0 NOT NULL,
	"handed_off_at" timestamp with time zone,
	"handoff_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "bot_turns" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"session_id" uuid NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"role" text NOT NULL,
	"text" text NOT NULL,
	"answer_id" uuid,
	"confidence" real,
	"search_id" uuid
);
--> statement-breakpoint
CREATE TABLE "search_clicks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"search_id" uuid NOT NULL,
	"answer_id" uuid NOT NULL,
	"position" integer,
	"action" text DEFAULT 'open' NOT NULL,
	"api_key_id" uuid,
	"user_id" uuid
);
--> statement-breakpoint
CREATE TABLE "search_documents" (
	"version_id" uuid PRIMARY KEY NOT NULL,
	"answer_id" uuid NOT NULL,
	"category_path" text,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"channels" text[] DEFAULT '{}'::text[] NOT NULL,
	"title_len" integer NOT NULL,
	"questions_len" integer NOT NULL,
	"body_len" integer NOT NULL,
	"indexed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "search_feedback" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"search_id" uuid,
	"session_id" uuid,
	"answer_id" uuid NOT NULL,
	"helpful" boolean NOT NULL,
	"comment" text,
	"api_key_id" uuid,
	"user_id" uuid
);
--> statement-breakpoint
CREATE TABLE "search_log" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"source" text NOT NULL,
	"query" text NOT NULL,
	"normalised" text NOT NULL,
	"mode" text NOT NULL,
	"result_ids" uuid[] NOT NULL,
	"result_count" integer NOT NULL,
	"top_score" real,
	"top_confidence" real,
	"latency_ms" real NOT NULL,
	"channel" text,
	"api_key_id" uuid,
	"user_id" uuid,
	"session_id" uuid,
	"handoff" boolean
);
--> statement-breakpoint
CREATE TABLE "search_phrases" (
	"version_id" uuid NOT NULL,
	"ord" integer NOT NULL,
	"text" text NOT NULL,
	CONSTRAINT "search_phrases_version_id_ord_pk" PRIMARY KEY("version_id","ord")
);
--> statement-breakpoint
CREATE TABLE "search_postings" (
	"term" text NOT NULL,
	"version_id" uuid NOT NULL,
	"field" smallint NOT NULL,
	"tf" integer NOT NULL,
	CONSTRAINT "search_postings_term_version_id_field_pk" PRIMARY KEY("term","version_id","field")
);
--> statement-breakpoint
CREATE TABLE "search_stats" (
	"id" smallint PRIMARY KEY NOT NULL,
	"docs" bigint NOT NULL,
	"title_len" bigint NOT NULL,
	"questions_len" bigint NOT NULL,
	"body_len" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "search_synonyms" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"phrases" text[] NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "bot_turns" ADD CONSTRAINT "bot_turns_session_id_bot_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."bot_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "search_documents" ADD CONSTRAINT "search_documents_version_id_answer_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."answer_versions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "search_documents" ADD CONSTRAINT "search_documents_answer_id_answers_id_fk" FOREIGN KEY ("answer_id") REFERENCES "public"."answers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "search_phrases" ADD CONSTRAINT "search_phrases_version_id_search_documents_version_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."search_documents"("version_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "search_postings" ADD CONSTRAINT "search_postings_version_id_search_documents_version_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."search_documents"("version_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "search_synonyms" ADD CONSTRAINT "search_synonyms_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "bot_turns_session_idx" ON "bot_turns" USING btree ("session_id","id");--> statement-breakpoint
CREATE INDEX "search_clicks_search_idx" ON "search_clicks" USING btree ("search_id");--> statement-breakpoint
CREATE INDEX "search_clicks_at_idx" ON "search_clicks" USING btree ("at");--> statement-breakpoint
CREATE INDEX "search_documents_answer_idx" ON "search_documents" USING btree ("answer_id");--> statement-breakpoint
CREATE INDEX "search_feedback_answer_idx" ON "search_feedback" USING btree ("answer_id");--> statement-breakpoint
CREATE INDEX "search_feedback_at_idx" ON "search_feedback" USING btree ("at");--> statement-breakpoint
CREATE INDEX "search_log_at_idx" ON "search_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "search_log_session_idx" ON "search_log" USING btree ("session_id");--> statement-breakpoint
CREATE INDEX "search_phrases_trgm_idx" ON "search_phrases" USING gin ("text" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "search_postings_version_idx" ON "search_postings" USING btree ("version_id");