-- Password and code checks, reserved before the slow hash: the per-address and per-account limits hold under any
-- concurrency and across several serve processes on one database.
CREATE TABLE login_attempts (
  id INTEGER PRIMARY KEY,
  ip TEXT NOT NULL,
  user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
  at TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'failed', 'ok'))
);
CREATE INDEX login_attempts_ip ON login_attempts(ip, at);
CREATE INDEX login_attempts_user ON login_attempts(user_id, state);
