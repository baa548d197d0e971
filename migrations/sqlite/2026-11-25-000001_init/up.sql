-- Reference: subjects of the Russian Federation.
CREATE TABLE regions (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    federal_district TEXT NOT NULL,
    timezone TEXT NOT NULL
);

-- Everyone who signs in: teachers, staff and integrator service accounts.
CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    role TEXT NOT NULL,
    max_user_id BIGINT UNIQUE,
    email TEXT UNIQUE,
    password_hash TEXT,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    totp_secret TEXT,
    totp_enabled BOOLEAN NOT NULL DEFAULT FALSE,
    surname TEXT,
    name TEXT,
    patronymic TEXT,
    region_code TEXT REFERENCES regions(code),
    school TEXT,
    position TEXT,
    notify_new_appeal_email BOOLEAN NOT NULL DEFAULT FALSE,
    notify_daily_digest_email BOOLEAN NOT NULL DEFAULT FALSE,
    consent_version TEXT,
    consent_at TIMESTAMP,
    verification_status TEXT NOT NULL DEFAULT 'unverified',
    verification_source TEXT,
    verification_note TEXT,
    verified_at TIMESTAMP,
    verified_by TEXT,
    dev_key TEXT UNIQUE,
    is_blocked BOOLEAN NOT NULL DEFAULT FALSE,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMP,
    erased_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX users_role_idx ON users (role, verification_status);

-- Regions an operator, regional head or integrator works for.
CREATE TABLE user_regions (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    region_code TEXT NOT NULL REFERENCES regions(code),
    PRIMARY KEY (user_id, region_code)
);
CREATE INDEX user_regions_region_idx ON user_regions (region_code);

-- Rotating refresh tokens, stored only as hashes; a family shares one sign-in.
CREATE TABLE refresh_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    family_id TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);

-- Integrator API keys (hash only; the key is shown once).
CREATE TABLE api_keys (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_by TEXT,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);

-- Single-use state of an ESIA sign-in.
CREATE TABLE esia_states (
    state TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);

-- Knowledge base: the current version of each article.
CREATE TABLE kb_articles (
    id TEXT PRIMARY KEY NOT NULL,
    title TEXT NOT NULL,
    question TEXT NOT NULL,
    variants TEXT NOT NULL DEFAULT '[]',
    answer TEXT NOT NULL,
    legal_refs TEXT NOT NULL DEFAULT '[]',
    tags TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    metadata TEXT NOT NULL DEFAULT '{}',
    source_appeal_id TEXT,
    created_by TEXT,
    approved_by TEXT,
    approved_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX kb_articles_status_idx ON kb_articles (status, updated_at);

-- Every edit of an article, kept whole.
CREATE TABLE kb_article_versions (
    id TEXT PRIMARY KEY NOT NULL,
    article_id TEXT NOT NULL REFERENCES kb_articles(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    title TEXT NOT NULL,
    question TEXT NOT NULL,
    variants TEXT NOT NULL,
    answer TEXT NOT NULL,
    legal_refs TEXT NOT NULL,
    tags TEXT NOT NULL,
    status TEXT NOT NULL,
    author_id TEXT,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (article_id, version)
);

-- Candidate question variants learnt from the service's own history.
CREATE TABLE kb_variants (
    id TEXT PRIMARY KEY NOT NULL,
    article_id TEXT NOT NULL REFERENCES kb_articles(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    source TEXT NOT NULL,
    appeal_id TEXT,
    status TEXT NOT NULL DEFAULT 'candidate',
    decided_by TEXT,
    decided_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX kb_variants_status_idx ON kb_variants (status, created_at);

-- Synonyms and abbreviations used by the answer engine.
CREATE TABLE kb_synonyms (
    term TEXT PRIMARY KEY NOT NULL,
    expansions TEXT NOT NULL,
    updated_by TEXT,
    updated_at TIMESTAMP NOT NULL
);

-- Appeals: a teacher's question and everything that happens to it.
CREATE TABLE appeals (
    id TEXT PRIMARY KEY NOT NULL,
    teacher_id TEXT NOT NULL REFERENCES users(id),
    region_code TEXT NOT NULL REFERENCES regions(code),
    author_name TEXT,
    anonymous BOOLEAN NOT NULL DEFAULT FALSE,
    text TEXT NOT NULL,
    channel TEXT NOT NULL,
    status TEXT NOT NULL,
    close_reason TEXT,
    close_note TEXT,
    duplicate_of TEXT,
    assignee_id TEXT REFERENCES users(id),
    engine_name TEXT,
    engine_version TEXT,
    engine_article_id TEXT,
    engine_score DOUBLE PRECISION,
    engine_confident BOOLEAN NOT NULL DEFAULT FALSE,
    abstain_reason TEXT,
    suggestions TEXT NOT NULL DEFAULT '[]',
    deadline_at TIMESTAMP,
    first_answered_at TIMESTAMP,
    answered_late BOOLEAN NOT NULL DEFAULT FALSE,
    escalated_at TIMESTAMP,
    opened_by_staff_at TIMESTAMP,
    teacher_activity_at TIMESTAMP NOT NULL,
    staff_activity_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP
);
CREATE INDEX appeals_region_status_idx ON appeals (region_code, status, created_at);
CREATE INDEX appeals_teacher_idx ON appeals (teacher_id, created_at);
CREATE INDEX appeals_status_deadline_idx ON appeals (status, deadline_at);
CREATE INDEX appeals_assignee_idx ON appeals (assignee_id, status);
CREATE INDEX appeals_created_idx ON appeals (created_at);

-- The thread of an appeal: question, follow-ups, clarifications, answers, internal notes.
CREATE TABLE appeal_messages (
    id TEXT PRIMARY KEY NOT NULL,
    appeal_id TEXT NOT NULL REFERENCES appeals(id) ON DELETE CASCADE,
    author_id TEXT REFERENCES users(id),
    author_role TEXT NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX appeal_messages_appeal_idx ON appeal_messages (appeal_id, created_at);

-- Answers of an appeal (bot, operator, self-served), each rateable once.
CREATE TABLE appeal_answers (
    id TEXT PRIMARY KEY NOT NULL,
    appeal_id TEXT NOT NULL REFERENCES appeals(id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    text TEXT NOT NULL,
    article_id TEXT,
    answered_by TEXT REFERENCES users(id),
    answered_at TIMESTAMP NOT NULL,
    is_late BOOLEAN NOT NULL DEFAULT FALSE,
    reminder_sent_at TIMESTAMP
);
CREATE INDEX appeal_answers_appeal_idx ON appeal_answers (appeal_id, answered_at);
CREATE INDEX appeal_answers_answered_idx ON appeal_answers (answered_at);

-- One rating per answer.
CREATE TABLE ratings (
    answer_id TEXT PRIMARY KEY NOT NULL REFERENCES appeal_answers(id) ON DELETE CASCADE,
    appeal_id TEXT NOT NULL REFERENCES appeals(id) ON DELETE CASCADE,
    score INTEGER NOT NULL,
    comment TEXT,
    rated_at TIMESTAMP NOT NULL
);
CREATE INDEX ratings_appeal_idx ON ratings (appeal_id);
CREATE INDEX ratings_rated_idx ON ratings (rated_at);

-- Operators' grades of bot answers (the bot-accuracy metric).
CREATE TABLE bot_grades (
    answer_id TEXT PRIMARY KEY NOT NULL REFERENCES appeal_answers(id) ON DELETE CASCADE,
    appeal_id TEXT NOT NULL REFERENCES appeals(id) ON DELETE CASCADE,
    grade TEXT NOT NULL,
    comment TEXT,
    graded_by TEXT NOT NULL REFERENCES users(id),
    graded_at TIMESTAMP NOT NULL
);

-- Files attached to an appeal (stored on disk under a random name).
CREATE TABLE attachments (
    id TEXT PRIMARY KEY NOT NULL,
    appeal_id TEXT NOT NULL REFERENCES appeals(id) ON DELETE CASCADE,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    storage_key TEXT NOT NULL UNIQUE,
    uploaded_by TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX attachments_appeal_idx ON attachments (appeal_id);

-- Per-person read marks: unread = activity of the other side after read_at.
CREATE TABLE appeal_reads (
    appeal_id TEXT NOT NULL REFERENCES appeals(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    read_at TIMESTAMP NOT NULL,
    PRIMARY KEY (appeal_id, user_id)
);

-- Production calendar: federal rows have region_code '' , overlays a region code.
CREATE TABLE calendar_days (
    region_code TEXT NOT NULL DEFAULT '',
    day DATE NOT NULL,
    kind TEXT NOT NULL,
    holiday TEXT,
    transferred_from DATE,
    PRIMARY KEY (region_code, day)
);

-- Which years (and overlays) were imported, and when.
CREATE TABLE calendar_years (
    region_code TEXT NOT NULL DEFAULT '',
    year INTEGER NOT NULL,
    imported_by TEXT,
    imported_at TIMESTAMP NOT NULL,
    PRIMARY KEY (region_code, year)
);

-- Transactional outbox: notifications written with the change that causes them.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    dedupe_key TEXT UNIQUE,
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_by TEXT,
    locked_until TIMESTAMP,
    last_error TEXT,
    response_code INTEGER,
    created_at TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP
);
CREATE INDEX outbox_due_idx ON outbox (status, next_attempt_at);

-- Integrator webhook subscriptions.
CREATE TABLE webhooks (
    id TEXT PRIMARY KEY NOT NULL,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    previous_secret TEXT,
    previous_secret_until TIMESTAMP,
    events TEXT NOT NULL,
    regions TEXT NOT NULL,
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    created_by TEXT,
    created_at TIMESTAMP NOT NULL
);

-- Updates already handled from the MAX bot webhook (redelivery is a no-op).
CREATE TABLE max_updates (
    update_key TEXT PRIMARY KEY NOT NULL,
    received_at TIMESTAMP NOT NULL
);

-- Who did what, when, with the state before and after.
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY NOT NULL,
    actor_id TEXT,
    actor_role TEXT,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT,
    before_state TEXT,
    after_state TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX audit_log_created_idx ON audit_log (created_at);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, created_at);
CREATE INDEX audit_log_object_idx ON audit_log (object_type, object_id);

-- Idempotency keys of creates, kept 24 hours, scoped to the caller.
CREATE TABLE idempotency_keys (
    owner_id TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status_code INTEGER,
    response_body TEXT,
    created_at TIMESTAMP NOT NULL,
    completed_at TIMESTAMP,
    PRIMARY KEY (owner_id, idem_key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
