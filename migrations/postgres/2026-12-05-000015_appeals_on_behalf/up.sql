-- Appeals registered on someone's behalf: an operator's quick appeal (a call or a letter)
-- or an integrator's forwarded question. One row per such appeal records who registered
-- it and the basis for keeping the person's name and contact. For a person without an
-- account the appeal's author is a placeholder user (no credentials) holding the name;
-- the contact lives here. Both are erased by the cleanup job a while after the appeal
-- closes (`erased_at`), as a teacher's own erasure would.
CREATE TABLE appeal_on_behalf (
    appeal_id TEXT PRIMARY KEY NOT NULL REFERENCES appeals(id),
    recorded_by TEXT NOT NULL REFERENCES users(id),
    api_key_id TEXT REFERENCES api_keys(id),
    unregistered BOOLEAN NOT NULL,
    consent_basis TEXT NOT NULL,
    consent_version TEXT NOT NULL,
    contact_email TEXT,
    contact_phone TEXT,
    created_at TIMESTAMP NOT NULL,
    erased_at TIMESTAMP
);
CREATE INDEX appeal_on_behalf_pending_erase_idx ON appeal_on_behalf (unregistered, erased_at);
