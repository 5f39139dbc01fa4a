CREATE TABLE "answer_embeddings" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"answer_id" uuid NOT NULL,
	"version_id" uuid NOT NULL,
	"model_id" text NOT NULL,
	"kind" text NOT NULL,
	"ordinal" integer NOT NULL,
	"text" text NOT NULL,
	"category_path" text,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"channels" text[] DEFAULT '{}'::text[] NOT NULL,
	"embedding" vector NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "embedding_jobs" (
	"answer_id" uuid PRIMARY KEY NOT NULL,
	"generation" bigint DEFAULT 1 NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"run_after" timestamp with time zone DEFAULT now() NOT NULL,
	"locked_by" text,
	"locked_until" timestamp with time zone,
	"last_error" text,
	"failed_at" timestamp with time zone,
	"enqueued_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "answer_embeddings" ADD CONSTRAINT "answer_embeddings_answer_id_answers_id_fk" FOREIGN KEY ("answer_id") REFERENCES "public"."answers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "answer_embeddings" ADD CONSTRAINT "answer_embeddings_version_id_answer_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."answer_versions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "embedding_jobs" ADD CONSTRAINT "embedding_jobs_answer_id_answers_id_fk" FOREIGN KEY ("answer_id") REFERENCES "public"."answers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "answer_embeddings_text_uq" ON "answer_embeddings" USING btree ("model_id","version_id","kind","ordinal");--> statement-breakpoint
CREATE INDEX "answer_embeddings_answer_idx" ON "answer_embeddings" USING btree ("answer_id");--> statement-breakpoint
CREATE INDEX "answer_embeddings_version_idx" ON "answer_embeddings" USING btree ("version_id");--> statement-breakpoint
CREATE INDEX "embedding_jobs_due_idx" ON "embedding_jobs" USING btree ("run_after");