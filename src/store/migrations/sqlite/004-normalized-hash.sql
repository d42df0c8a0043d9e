-- Baseline script versions also remember the hash of their normalised text (volatile tokens masked).
ALTER TABLE baseline ADD COLUMN normalized TEXT;
