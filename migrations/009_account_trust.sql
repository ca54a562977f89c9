-- 009_account_trust: an account whose password was set by someone else (an
-- admin's reset, `sanqu init`'s one-time password) must choose its own at the
-- next sign-in. While the flag is set a session may only change its password
-- (core/http.c refuses every other route with password_change_required); the
-- owner's own change clears it.
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
