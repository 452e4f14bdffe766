DROP INDEX members_listing_borough;
DROP INDEX members_listing_role;
DROP INDEX members_listing;
DROP INDEX resources_hidden;
