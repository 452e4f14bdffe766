DROP TABLE site_settings;
DROP INDEX service_areas_borough;
DROP TABLE service_areas;
DROP TABLE member_services;
