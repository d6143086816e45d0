-- The evidence source each observation came from; every row so far came from RDAP.
ALTER TABLE observations ADD COLUMN source TEXT NOT NULL DEFAULT 'rdap';
