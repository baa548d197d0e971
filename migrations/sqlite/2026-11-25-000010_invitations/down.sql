DROP TABLE auth_throttle;
DROP TABLE staff_invitations;
