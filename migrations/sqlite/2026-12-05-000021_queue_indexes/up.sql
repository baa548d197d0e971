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

-- Full-text search for the list's `q` (the question, the answers and the clarifications).
-- One document per text: `appeal_search_docs` names it (the appeal and the row it comes
-- from), the contentless FTS5 table `appeal_search` indexes its words under the same
-- rowid. `unicode61` folds
-- the case of Cyrillic as of Latin but keeps «ё», which is written as «е» (as the
-- normaliser does). The list matches the stems
-- of the engine's normaliser as prefixes of these words («журнала» → «журнал*»).
-- Triggers keep both tables current whatever writes the text (the server, `demo seed`,
-- `db copy`, which therefore rebuilds them instead of copying them).
CREATE TABLE appeal_search_docs (
    doc_id INTEGER PRIMARY KEY,
    source_id TEXT NOT NULL UNIQUE,
    appeal_id TEXT NOT NULL
);
CREATE INDEX appeal_search_docs_appeal_idx ON appeal_search_docs (appeal_id);
CREATE VIRTUAL TABLE appeal_search USING fts5 (
    body,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

INSERT INTO appeal_search_docs (source_id, appeal_id) SELECT id, id FROM appeals;
INSERT INTO appeal_search_docs (source_id, appeal_id)
    SELECT id, appeal_id FROM appeal_messages WHERE kind IN ('answer', 'clarification');
INSERT INTO appeal_search (rowid, body)
    SELECT d.doc_id, replace(replace(a.text, 'ё', 'е'), 'Ё', 'Е') FROM appeal_search_docs d JOIN appeals a ON a.id = d.source_id;
INSERT INTO appeal_search (rowid, body)
    SELECT d.doc_id, replace(replace(m.text, 'ё', 'е'), 'Ё', 'Е') FROM appeal_search_docs d JOIN appeal_messages m ON m.id = d.source_id;

CREATE TRIGGER appeal_search_question AFTER INSERT ON appeals
BEGIN
    INSERT INTO appeal_search_docs (source_id, appeal_id) VALUES (NEW.id, NEW.id);
    INSERT INTO appeal_search (rowid, body)
        SELECT doc_id, replace(replace(NEW.text, 'ё', 'е'), 'Ё', 'Е') FROM appeal_search_docs WHERE source_id = NEW.id;
END;

CREATE TRIGGER appeal_search_question_edit AFTER UPDATE OF text ON appeals
BEGIN
    DELETE FROM appeal_search
        WHERE rowid IN (SELECT doc_id FROM appeal_search_docs WHERE source_id = OLD.id);
    INSERT INTO appeal_search (rowid, body)
        SELECT doc_id, replace(replace(NEW.text, 'ё', 'е'), 'Ё', 'Е') FROM appeal_search_docs WHERE source_id = NEW.id;
END;

CREATE TRIGGER appeal_search_question_gone AFTER DELETE ON appeals
BEGIN
    DELETE FROM appeal_search
        WHERE rowid IN (SELECT doc_id FROM appeal_search_docs WHERE appeal_id = OLD.id);
    DELETE FROM appeal_search_docs WHERE appeal_id = OLD.id;
END;

CREATE TRIGGER appeal_search_message AFTER INSERT ON appeal_messages
WHEN NEW.kind IN ('answer', 'clarification')
BEGIN
    INSERT INTO appeal_search_docs (source_id, appeal_id) VALUES (NEW.id, NEW.appeal_id);
    INSERT INTO appeal_search (rowid, body)
        SELECT doc_id, replace(replace(NEW.text, 'ё', 'е'), 'Ё', 'Е') FROM appeal_search_docs WHERE source_id = NEW.id;
END;

CREATE TRIGGER appeal_search_message_edit AFTER UPDATE OF text ON appeal_messages
WHEN NEW.kind IN ('answer', 'clarification')
BEGIN
    DELETE FROM appeal_search
        WHERE rowid IN (SELECT doc_id FROM appeal_search_docs WHERE source_id = OLD.id);
    INSERT INTO appeal_search (rowid, body)
        SELECT doc_id, replace(replace(NEW.text, 'ё', 'е'), 'Ё', 'Е') FROM appeal_search_docs WHERE source_id = NEW.id;
END;

CREATE TRIGGER appeal_search_message_gone AFTER DELETE ON appeal_messages
WHEN OLD.kind IN ('answer', 'clarification')
BEGIN
    DELETE FROM appeal_search
        WHERE rowid IN (SELECT doc_id FROM appeal_search_docs WHERE source_id = OLD.id);
    DELETE FROM appeal_search_docs WHERE source_id = OLD.id;
END;
