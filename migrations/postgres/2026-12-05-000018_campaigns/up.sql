-- Announcement campaigns («Рассылки»), their recipients, opt-outs and promo codes.
-- A campaign's audience is expanded in batches into campaign_recipients (the cursor is
-- `expand_cursor`, so a restart resumes where it stopped); the recipients table is the
-- campaign's own outbox: a row is claimed with a lease, sent, and marked.
CREATE TABLE campaigns (
    id TEXT PRIMARY KEY NOT NULL,
    author_id TEXT NOT NULL REFERENCES users(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    button_text TEXT,
    button_start TEXT,
    all_regions BOOLEAN NOT NULL,
    regions TEXT NOT NULL,
    levels TEXT NOT NULL,
    verified_only BOOLEAN NOT NULL,
    status TEXT NOT NULL,
    start_at TIMESTAMP,
    expand_cursor TEXT,
    expanded_at TIMESTAMP,
    recipients INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);
CREATE INDEX campaigns_status_idx ON campaigns (status, start_at);
CREATE INDEX campaigns_created_idx ON campaigns (created_at, id);
-- The regions of a campaign, one row each (empty when all_regions): heads see a campaign
-- only when every region of it is theirs.
CREATE TABLE campaign_regions (
    campaign_id TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    region_code TEXT NOT NULL,
    PRIMARY KEY (campaign_id, region_code)
);
-- One row per recipient and campaign: the primary key is what makes "at most one message".
CREATE TABLE campaign_recipients (
    campaign_id TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    max_user_id BIGINT NOT NULL,
    region_code TEXT,
    level TEXT,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMP,
    sent_at TIMESTAMP,
    opened_at TIMESTAMP,
    PRIMARY KEY (campaign_id, user_id)
);
CREATE INDEX campaign_recipients_due_idx ON campaign_recipients (status, campaign_id);
CREATE INDEX campaign_recipients_user_idx ON campaign_recipients (user_id);
-- Who does not want announcements: «Отписаться» (kept) or the bot stopped (until the
-- person starts it again).
CREATE TABLE campaign_optouts (
    max_user_id BIGINT PRIMARY KEY NOT NULL,
    reason TEXT NOT NULL,
    campaign_id TEXT,
    created_at TIMESTAMP NOT NULL
);
-- Promo codes for posters and links: `start_param=promo-<code>`; launches counted.
CREATE TABLE promo_codes (
    id TEXT PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    author_id TEXT NOT NULL REFERENCES users(id),
    region_code TEXT,
    launches BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX promo_codes_created_idx ON promo_codes (created_at, id);
