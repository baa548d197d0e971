DROP TABLE appeal_presence;
DROP TABLE answer_templates;
