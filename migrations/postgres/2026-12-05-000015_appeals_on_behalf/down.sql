DROP TABLE appeal_on_behalf;
