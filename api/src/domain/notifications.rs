//! Events and the outbox.
