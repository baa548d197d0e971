//! Integrations administrators manage: webhook subscriptions with their deliveries
//! ([`webhooks`]) and the outbox of notifications ([`outbox`]).

pub mod outbox;
pub mod webhooks;
