-- 0001: the whole v1-2015 model. Every table is scoped by app.

CREATE TABLE apps (
	id       INTEGER PRIMARY KEY,
	key      TEXT    NOT NULL UNIQUE,
	next_gid INTEGER NOT NULL DEFAULT 1, -- gids are never reused
	next_msg INTEGER NOT NULL DEFAULT 1  -- msg_ids increase
);

-- users.id is the registration order: a new row always gets max(id)+1.
CREATE TABLE users (
	id        INTEGER PRIMARY KEY,
	app       INTEGER NOT NULL REFERENCES apps (id),
	username  TEXT    NOT NULL,
	password  TEXT    NOT NULL, -- pbkdf2-sha256$iter$salt$hash, never clear text
	nickname  TEXT,
	avatar    TEXT,
	star      INTEGER,
	birthday  TEXT,
	gender    INTEGER,
	signature TEXT,
	region    TEXT,
	address   TEXT,
	ctime     INTEGER NOT NULL, -- unix seconds
	mtime     INTEGER NOT NULL,
	UNIQUE (app, username)
);
-- Covering index for user-list pages.
CREATE INDEX users_page ON users (app, id, username);

-- "groups" is an SQL keyword; chats is the table of IM groups.
CREATE TABLE chats (
	app   INTEGER NOT NULL REFERENCES apps (id),
	gid   INTEGER NOT NULL,
	owner INTEGER NOT NULL REFERENCES users (id),
	name  TEXT    NOT NULL,
	descr TEXT    NOT NULL,
	ctime INTEGER NOT NULL,
	PRIMARY KEY (app, gid)
) WITHOUT ROWID;
CREATE INDEX chats_owner ON chats (owner);

-- members.id is the join order. The owner is not a row here.
CREATE TABLE members (
	id     INTEGER PRIMARY KEY,
	app    INTEGER NOT NULL,
	gid    INTEGER NOT NULL,
	user   INTEGER NOT NULL REFERENCES users (id),
	joined INTEGER NOT NULL,
	UNIQUE (app, gid, user),
	FOREIGN KEY (app, gid) REFERENCES chats (app, gid)
);
CREATE INDEX members_user ON members (user);

CREATE TABLE messages (
	app         INTEGER NOT NULL REFERENCES apps (id),
	msg_id      INTEGER NOT NULL,
	target_type TEXT    NOT NULL,
	target_id   TEXT    NOT NULL,
	from_type   TEXT    NOT NULL,
	from_id     TEXT    NOT NULL,
	msg_type    TEXT    NOT NULL,
	create_time INTEGER NOT NULL,
	body        TEXT    NOT NULL,
	ctime       INTEGER NOT NULL,
	PRIMARY KEY (app, msg_id)
) WITHOUT ROWID;

-- page_blocks counts the live rows of a list (kind 1 users by id, kind 2
-- groups by gid) per block of ids, so that a page at any offset is a short
-- walk over block counts plus an index seek, and the total is a sum of a few
-- hundred rows instead of a count over the whole list.
CREATE TABLE page_blocks (
	app   INTEGER NOT NULL,
	kind  INTEGER NOT NULL,
	block INTEGER NOT NULL,
	n     INTEGER NOT NULL,
	PRIMARY KEY (app, kind, block)
) WITHOUT ROWID;
