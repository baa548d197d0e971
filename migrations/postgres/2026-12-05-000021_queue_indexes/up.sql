-- The queue's cost must not grow with the data (issue 20, item 6): an index per scope and
-- order the screens use, so a page reads its 20 rows from an index in order instead of
-- sorting every appeal of the scope.
--   region (operators, regional heads) newest first / soonest deadline first;
--   a teacher's own; everyone (federal) by deadline; the board's columns by last change;
--   an operator's own (`assignee=me`) newest first.
-- The (…, created_at, id) indexes cover the list's exact order (ties by id), so the
-- index gives the page without a sort. Three older indexes are prefixes of new ones.
CREATE INDEX appeals_region_created_idx ON appeals (region_code, created_at, id);
CREATE INDEX appeals_region_deadline_idx ON appeals (region_code, deadline_at, id);
CREATE INDEX appeals_region_status_created_idx ON appeals (region_code, status, created_at, id);
CREATE INDEX appeals_region_status_deadline_idx ON appeals (region_code, status, deadline_at, id);
CREATE INDEX appeals_region_status_updated_idx ON appeals (region_code, status, updated_at);
CREATE INDEX appeals_teacher_created_idx ON appeals (teacher_id, created_at, id);
CREATE INDEX appeals_deadline_id_idx ON appeals (deadline_at, id);
CREATE INDEX appeals_status_created_idx ON appeals (status, created_at, id);
CREATE INDEX appeals_status_updated_idx ON appeals (status, updated_at);
CREATE INDEX appeals_assignee_created_idx ON appeals (assignee_id, created_at, id);
CREATE INDEX appeals_assignee_deadline_idx ON appeals (assignee_id, deadline_at, id);
DROP INDEX appeals_teacher_idx;
DROP INDEX appeals_created_idx;
DROP INDEX appeals_region_status_idx;

-- Full-text search for the list's `q` (the question, the answers and the clarifications):
-- one `tsvector` per text with the `russian` configuration (Snowball stems, as the
-- engine's normaliser), under a GIN index. Triggers keep it current whatever writes the
-- text (the server, `demo seed`, `db copy`, which therefore rebuilds it instead of
-- copying it).
CREATE TABLE appeal_search_docs (
    source_id TEXT PRIMARY KEY NOT NULL,
    appeal_id TEXT NOT NULL,
    doc TSVECTOR NOT NULL
);
CREATE INDEX appeal_search_docs_appeal_idx ON appeal_search_docs (appeal_id);
CREATE INDEX appeal_search_docs_doc_idx ON appeal_search_docs USING GIN (doc);

INSERT INTO appeal_search_docs (source_id, appeal_id, doc)
    SELECT id, id, to_tsvector('russian', translate(text, 'ёЁ', 'еЕ')) FROM appeals;
INSERT INTO appeal_search_docs (source_id, appeal_id, doc)
    SELECT id, appeal_id, to_tsvector('russian', translate(text, 'ёЁ', 'еЕ')) FROM appeal_messages
    WHERE kind IN ('answer', 'clarification');

CREATE FUNCTION appeal_search_question() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM appeal_search_docs WHERE appeal_id = OLD.id;
        RETURN OLD;
    END IF;
    INSERT INTO appeal_search_docs (source_id, appeal_id, doc)
        VALUES (NEW.id, NEW.id, to_tsvector('russian', translate(NEW.text, 'ёЁ', 'еЕ')))
        ON CONFLICT (source_id) DO UPDATE SET doc = EXCLUDED.doc;
    RETURN NEW;
END $$;

CREATE TRIGGER appeal_search_question AFTER INSERT OR UPDATE OF text OR DELETE ON appeals
    FOR EACH ROW EXECUTE FUNCTION appeal_search_question();

CREATE FUNCTION appeal_search_message() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM appeal_search_docs WHERE source_id = OLD.id;
        RETURN OLD;
    END IF;
    IF NEW.kind IN ('answer', 'clarification') THEN
        INSERT INTO appeal_search_docs (source_id, appeal_id, doc)
            VALUES (NEW.id, NEW.appeal_id, to_tsvector('russian', translate(NEW.text, 'ёЁ', 'еЕ')))
            ON CONFLICT (source_id) DO UPDATE SET doc = EXCLUDED.doc;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER appeal_search_message AFTER INSERT OR UPDATE OF text OR DELETE ON appeal_messages
    FOR EACH ROW EXECUTE FUNCTION appeal_search_message();
