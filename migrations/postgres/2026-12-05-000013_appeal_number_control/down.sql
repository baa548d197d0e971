DROP TABLE appeal_controls;
DROP TRIGGER appeals_assign_number ON appeals;
DROP FUNCTION appeals_assign_number();
DROP TABLE appeal_numbers;
DROP INDEX appeals_number_idx;
ALTER TABLE appeals DROP COLUMN number;
