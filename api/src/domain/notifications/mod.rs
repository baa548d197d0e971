//! Notifications: appeal events ([`events`]) and the transactional outbox ([`outbox`]) they
//! are written to. Events are emitted inside the transaction of the change that causes
//! them; the worker in `crate::jobs` delivers the outbox rows later.

pub mod events;
pub mod outbox;
