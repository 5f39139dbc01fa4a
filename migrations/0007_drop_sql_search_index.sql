DROP TABLE "search_documents" CASCADE;--> statement-breakpoint
DROP TABLE "search_phrases" CASCADE;--> statement-breakpoint
DROP TABLE "search_postings" CASCADE;--> statement-breakpoint
DROP TABLE "search_stats" CASCADE;