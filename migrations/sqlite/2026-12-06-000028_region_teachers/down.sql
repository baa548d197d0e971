DROP TABLE region_teachers;
