CREATE TABLE "search_changes" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"answer_id" uuid,
	"kind" text DEFAULT 'answer' NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
