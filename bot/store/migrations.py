"""Schema as sqlite-utils migrations: applied in order, each once, each in a transaction.

Never edit a migration that has shipped; add a new one.
"""

from __future__ import annotations

import sqlite_utils
from sqlite_utils import Migrations

MIGRATIONS = Migrations("briefbot")

# Porter stemming so "train" finds "trains" and "resume" finds "resumed"; unicode61 with
# diacritics removed underneath, so "Sao Paulo" matches "São Paulo". Phrases still work.
TOKENIZE = "porter unicode61 remove_diacritics 2"


@MIGRATIONS()
def m001_articles(db: sqlite_utils.Database) -> None:
    db["articles"].create(
        {
            "id": int,
            "url": str,
            "outlet": str,
            "title": str,
            "body": str,
            "published_at": str,
            "fetched_at": str,
            "language": str,
            "content_hash": str,
        },
        pk="id",
        not_null={"outlet", "title", "body", "published_at", "fetched_at", "content_hash"},
        defaults={"language": "en"},
    )
    # SQLite lets a UNIQUE index hold many NULLs: articles without a url dedup by hash alone.
    db["articles"].create_index(["url"], unique=True, index_name="articles_url")
    db["articles"].create_index(["content_hash"], unique=True, index_name="articles_hash")
    # (published_at, id) makes a window's id range an index-only range scan.
    db["articles"].create_index(["published_at", "id"], index_name="articles_published")
    db["articles"].create_index(["outlet", "published_at"], index_name="articles_outlet")
    db["articles"].enable_fts(["title", "body"], create_triggers=True, tokenize=TOKENIZE)


@MIGRATIONS()
def m002_sentences(db: sqlite_utils.Database) -> None:
    db["sentences"].create(
        {"id": int, "article_id": int, "position": int, "text": str},
        pk="id",
        not_null={"article_id", "position", "text"},
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["sentences"].create_index(["article_id", "position"], unique=True)
    db["sentences"].enable_fts(["text"], create_triggers=True, tokenize=TOKENIZE)


@MIGRATIONS()
def m003_events(db: sqlite_utils.Database) -> None:
    db["events"].create(
        {
            "id": int,
            "article_id": int,
            "sentence_id": int,
            "state": str,
            "modality": str,
            "negated": int,
            "trigger": str,
            "date_value": str,
            "date_precision": str,
            "date_text": str,
            "attribution": str,
            "attribution_kind": str,
        },
        pk="id",
        not_null={"article_id", "sentence_id", "state", "modality", "trigger"},
        defaults={"negated": 0},
        foreign_keys=[("article_id", "articles", "id"), ("sentence_id", "sentences", "id")],
    )
    db["events"].create_index(["article_id"])
    db["events"].create_index(["sentence_id"])


@MIGRATIONS()
def m004_entities(db: sqlite_utils.Database) -> None:
    """Which entities each article and sentence mentions; tags what is already stored."""
    # WITHOUT ROWID with (entity, id) as the key: the table is its own index, so "articles
    # mentioning X in an id range" is one range scan, and an INTERSECT of two such scans answers
    # "X and Y". The (id, entity) indexes serve per-article lookups and per-window counts.
    db.execute(
        "CREATE TABLE article_entities ("
        " entity TEXT NOT NULL,"
        " article_id INTEGER NOT NULL REFERENCES articles(id),"
        " PRIMARY KEY (entity, article_id)) WITHOUT ROWID"
    )
    db.execute("CREATE INDEX article_entities_article ON article_entities (article_id, entity)")
    db.execute(
        "CREATE TABLE sentence_entities ("
        " entity TEXT NOT NULL,"
        " sentence_id INTEGER NOT NULL REFERENCES sentences(id),"
        " PRIMARY KEY (entity, sentence_id)) WITHOUT ROWID"
    )
    db.execute("CREATE INDEX sentence_entities_sentence ON sentence_entities (sentence_id, entity)")
    if db.execute("SELECT 1 FROM articles LIMIT 1").fetchone() is None:
        return  # a new database: no need to load the gazetteer
    # Imported here, and only for a database that has articles to tag: the tagger is built from
    # the catalog (bot.briefing), which in turn uses this package; a new database never pays
    # for loading the gazetteer.
    from bot.briefing.topics import default_tagger
    from bot.store.entities import tag_stored

    tag_stored(db, default_tagger())


@MIGRATIONS()
def m005_situations(db: sqlite_utils.Database) -> None:
    """Which articles are about each declared situation, and the definition that decided it.

    Stored articles are tagged by the next ingest (bot.store.situations.sync), which also
    re-tags whenever a situation's definition changes; until then /status searches instead.
    """
    db.execute(
        "CREATE TABLE situation_articles ("
        " situation TEXT NOT NULL,"
        " article_id INTEGER NOT NULL REFERENCES articles(id),"
        " PRIMARY KEY (situation, article_id)) WITHOUT ROWID"
    )
    db.execute("CREATE TABLE situation_tags (situation TEXT PRIMARY KEY, signature TEXT NOT NULL)")


@MIGRATIONS()
def m006_stories(db: sqlite_utils.Database) -> None:
    """Stories: articles telling the same story across outlets, assigned at ingest.

    Articles stored before this migration have no story yet; the next ingest assigns them
    (bot.briefing.stories.assign_pending), and /brief treats them as stories of their own
    until then.
    """
    db.execute(
        "CREATE TABLE stories (id INTEGER PRIMARY KEY, first_at TEXT NOT NULL,"
        " last_at TEXT NOT NULL, articles INTEGER NOT NULL DEFAULT 0)"
    )
    # copy_of: the earliest article this one is a near-exact copy of (syndication); a copy
    # is cited but never counted as an independent source.
    db.execute(
        "CREATE TABLE story_articles (article_id INTEGER PRIMARY KEY REFERENCES articles(id),"
        " story_id INTEGER NOT NULL REFERENCES stories(id), copy_of INTEGER)"
    )
    db.execute("CREATE INDEX story_articles_story ON story_articles (story_id)")
    # What an article is compared by: MinHash of its title+lead shingles, its terms and names.
    db.execute(
        "CREATE TABLE story_features (article_id INTEGER PRIMARY KEY REFERENCES articles(id),"
        " published_at TEXT NOT NULL, outlet TEXT NOT NULL, minhash BLOB NOT NULL,"
        " lead_minhash BLOB NOT NULL, lead_size INTEGER NOT NULL, terms TEXT NOT NULL,"
        " names TEXT NOT NULL)"
    )
    # LSH bands of the MinHash (near-duplicates share one), and each article's most telling
    # terms (rewrites share some): the two ways a new article finds its candidates.
    db.execute(
        "CREATE TABLE story_bands (key INTEGER NOT NULL, article_id INTEGER NOT NULL,"
        " PRIMARY KEY (key, article_id)) WITHOUT ROWID"
    )
    # Keyed by (term, publication time): finding an article's candidates is one range scan
    # of its story window per term, however common the term is over the years.
    db.execute(
        "CREATE TABLE story_terms (term TEXT NOT NULL, published_at TEXT NOT NULL,"
        " article_id INTEGER NOT NULL, PRIMARY KEY (term, published_at, article_id))"
        " WITHOUT ROWID"
    )
    # Document frequency of terms over stored articles, for idf.
    db.execute("CREATE TABLE story_df (term TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID")


@MIGRATIONS()
def m007_subscriptions(db: sqlite_utils.Database) -> None:
    """Chats, their subscriptions, the delivery ledger and sent status alerts.

    The protocol these tables serve is in bot/store/subscriptions.py's docstring.
    """
    # migrated_to: a group that became a supergroup (ChatMigrated) keeps its row, inactive,
    # pointing at the new id, so a late update from the old id can be followed.
    db.execute(
        "CREATE TABLE chats (id INTEGER PRIMARY KEY, type TEXT NOT NULL, title TEXT,"
        " timezone TEXT NOT NULL DEFAULT 'UTC', active INTEGER NOT NULL DEFAULT 1,"
        " updated_at TEXT NOT NULL, migrated_to INTEGER)"
    )
    db.execute(
        "CREATE TABLE subscriptions (id INTEGER PRIMARY KEY,"
        " chat_id INTEGER NOT NULL REFERENCES chats(id), thread_id INTEGER,"
        " kind TEXT NOT NULL CHECK (kind IN ('brief', 'status')), key TEXT NOT NULL,"
        " query TEXT NOT NULL, local_time TEXT, timezone TEXT,"
        " quiet INTEGER NOT NULL DEFAULT 0, active INTEGER NOT NULL DEFAULT 1,"
        " created_at TEXT NOT NULL, created_by INTEGER,"
        " CHECK (kind = 'status' OR local_time IS NOT NULL))"
    )
    # One active subscription per (chat, thread, kind, key). NULLs never collide in a UNIQUE
    # index, so the main chat (thread NULL) is folded to 0 (forum thread ids are positive);
    # partial, so unsubscribed rows stay as history and the same one can be made again.
    db.execute(
        "CREATE UNIQUE INDEX subscriptions_active ON subscriptions"
        " (chat_id, ifnull(thread_id, 0), kind, key) WHERE active = 1"
    )
    db.execute("CREATE INDEX subscriptions_kind ON subscriptions (kind, active)")
    # The exactly-once ledger: one row per subscription and local date, claimed before the
    # send and marked after it. article_ids: JSON list of what the brief cited.
    db.execute(
        "CREATE TABLE deliveries ("
        " subscription_id INTEGER NOT NULL REFERENCES subscriptions(id),"
        " local_date TEXT NOT NULL,"
        " status TEXT NOT NULL CHECK (status IN ('claimed', 'sent', 'failed', 'skipped')),"
        " attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, claimed_at TEXT, sent_at TEXT,"
        " retry_at TEXT, article_ids TEXT NOT NULL DEFAULT '[]',"
        " PRIMARY KEY (subscription_id, local_date))"
    )
    db.execute("CREATE INDEX deliveries_sent ON deliveries (subscription_id, sent_at)")
    # One alert per (subscription, change): claimed_at set when claimed, sent_at once sent.
    db.execute(
        "CREATE TABLE alerts ("
        " subscription_id INTEGER NOT NULL REFERENCES subscriptions(id),"
        " change_key TEXT NOT NULL, claimed_at TEXT NOT NULL, sent_at TEXT,"
        " PRIMARY KEY (subscription_id, change_key))"
    )


@MIGRATIONS()
def m008_delivery_indexes(db: sqlite_utils.Database) -> None:
    """Indexes for the scheduler's per-minute reads at scale: a chat's briefs on a topic, and
    the deliveries of recent days (the ledger grows by one row per subscription per day)."""
    db.execute("CREATE INDEX subscriptions_chat_key ON subscriptions (chat_id, key)")
    db.execute("CREATE INDEX deliveries_day ON deliveries (local_date, subscription_id)")


@MIGRATIONS()
def m009_feeds(db: sqlite_utils.Database) -> None:
    """Followed feeds with their health, the entries seen per feed, and where an article's text
    and date came from.

    feed_entries remembers every entry key a feed has shown ("guid:…", "link:…", "hash:…"), so a
    poll skips what it has seen before analysing anything; article_id is NULL for an entry that
    was a duplicate of another source's article or could not be used.
    """
    db.execute(
        "CREATE TABLE feeds (id INTEGER PRIMARY KEY, url TEXT NOT NULL UNIQUE, outlet TEXT,"
        " language TEXT, title TEXT, active INTEGER NOT NULL DEFAULT 1, added_at TEXT NOT NULL,"
        " added_by INTEGER, etag TEXT, last_modified TEXT, last_polled_at TEXT,"
        " last_success_at TEXT, last_error TEXT, last_error_at TEXT,"
        " error_count INTEGER NOT NULL DEFAULT 0, failing_since TEXT, next_poll_at TEXT,"
        " articles INTEGER NOT NULL DEFAULT 0, deactivated_at TEXT)"
    )
    db.execute("CREATE INDEX feeds_due ON feeds (active, next_poll_at)")
    db.execute(
        "CREATE TABLE feed_entries (feed_id INTEGER NOT NULL REFERENCES feeds(id),"
        " key TEXT NOT NULL, article_id INTEGER REFERENCES articles(id), seen_at TEXT NOT NULL,"
        " PRIMARY KEY (feed_id, key)) WITHOUT ROWID"
    )
    # Small key/value facts about the database itself (e.g. that the default feeds were added
    # once, so removing one is not undone at the next start).
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID")
    # file | feed | summary | page (bot.models.RawArticle.text_source)
    db.execute("ALTER TABLE articles ADD COLUMN text_source TEXT NOT NULL DEFAULT 'file'")
    db.execute("ALTER TABLE articles ADD COLUMN date_estimated INTEGER NOT NULL DEFAULT 0")


@MIGRATIONS()
def m010_feed_notices(db: sqlite_utils.Database) -> None:
    """Which switch-off the bot admins were told of (its deactivated_at): a switch-off by any
    poller (the bot's, or `briefbot feeds poll` from cron) is told by the running bot, once."""
    db.execute("ALTER TABLE feeds ADD COLUMN notified_at TEXT")
