ALTER TABLE "answer_versions" ADD COLUMN "import_hash" text;--> statement-breakpoint
CREATE INDEX "answer_versions_category_idx" ON "answer_versions" USING btree ("category_path");