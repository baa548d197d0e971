//! Users, sessions, verification, API keys and webhooks subscriptions.
