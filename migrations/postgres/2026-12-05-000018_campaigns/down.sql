DROP TABLE promo_codes;
DROP TABLE campaign_optouts;
DROP TABLE campaign_recipients;
DROP TABLE campaign_regions;
DROP TABLE campaigns;
