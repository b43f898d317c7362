"""One place for configuration, read from the environment with the ``TREMPLIN_`` prefix."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TREMPLIN_", env_file=None, extra="ignore")

    home: Path = Field(default=Path("var"), description="State folder: database, indexes, caches.")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; SQLite under home if unset.")

    embedder: str = Field(
        default="use",
        description="'use' (multilingual USE v3, bundled; the default, see README), 'minilm' (all-MiniLM-L6-v2) "
        "or any local sentence-transformers model name or path.",
    )
    query_prompt: str = Field(default="", description="Prefix for queries (e5-style models: 'query: ').")
    document_prompt: str = Field(default="", description="Prefix for documents (e5-style: 'passage: ').")
    embed_batch_size: int = 64

    index_kind: str = Field(default="auto", description="'auto', 'flat', 'hnsw' or 'ivfpq'.")
    approximate_threshold: int = Field(default=20_000, description="Above this many items 'auto' uses HNSW.")
    ivfpq_threshold: int = Field(
        default=500_000,
        ge=1,
        description="From this many items 'auto' uses IVF-PQ with an exact re-rank from a mapped float16 file "
        "(about 73 B resident a vector at 1M, see README, Deployment and scale).",
    )
    lexical_compact_from: int | None = Field(
        default=None,
        ge=1,
        description="From this many documents the lexical postings are compact (float16, common n-grams cut, "
        "40-feature probe; results can differ slightly): None means 200,000, above every collection the "
        "product and the evaluation run today (see README, Deployment and scale).",
    )

    snapshot_delay_seconds: float = Field(
        default=2.0, description="Index snapshot written this long after the last write (0: inside each write)."
    )
    snapshot_max_delay_seconds: float = Field(
        default=30.0, description="A steady stream of writes still gets a snapshot at least this often."
    )
    request_threads: int = Field(
        default=4,
        ge=1,
        le=1000,
        description="Threads per server process running blocking request code. Matching is CPU-bound and "
        "holds the GIL: more threads than cores only share it, so every request in flight gets slower "
        "(measured: 40 threads 118 req/s, 4 threads 136 req/s at 32 clients on 2 cores).",
    )
    ranking_concurrency: int = Field(
        default=2,
        ge=1,
        le=64,
        description="Rankings computed at once per process; the other requests wait their turn (ranking is "
        "CPU-bound: more at once share the GIL and only lengthen the tail).",
    )
    gc_young_threshold: int = Field(
        default=10_000,
        ge=0,
        le=1_000_000,
        description="Collector threshold for new objects, set once the engine is loaded and frozen (0: leave "
        "Python's 700). A request holds more than 700 new objects at once, so 700 meant ~2 young collections "
        "per request and a full one (20-150 ms, all threads stopped) every ~75; 10,000: a few per run.",
    )
    balanced_accept: bool = Field(
        default=True,
        description="With several workers, each accepts a connection only while it holds no more than the "
        "least loaded one (keep-alive pins a client to its worker; without this, one worker took 22 of 32 "
        "clients and the tail doubled). Off: uvloop, which accepts every pending connection at once.",
    )
    snapshot_check_seconds: float = Field(
        default=0.0,
        description="How often an engine takes up a newer snapshot and other processes' writes (0: never; "
        "`tremplin serve` uses 2 unless set).",
    )

    snapshot_dir: Path | None = Field(
        default=None,
        description="Where the index snapshot is published and read (TREMPLIN_HOME/indexes if unset): a folder "
        "every API replica mounts, so that replicas with their own homes serve one published snapshot.",
    )
    snapshot_writer: bool = Field(
        default=True,
        description="Whether this process writes the snapshot. Replicas that only read what one index writer "
        "publishes set it false: they map the snapshot and replay store changes in memory.",
    )

    ranking_model: Path | None = Field(default=None, description="Ranking weights file; models/ default.")
    cpv_inference_model: Path | None = Field(
        default=None, description="CPV inference model (.npz) for records without codes; models/ default."
    )
    calibration_model: Path | None = Field(
        default=None, description="Score → probability map per direction (JSON); models/calibration.json default."
    )
    min_grade: str | None = Field(
        default="possible", description="Relevance floor: strong, good or possible; matches below are not shown."
    )
    infer_cpv: bool = Field(default=True, description="Infer CPV codes of tenders and profiles that have none.")
    candidate_pool: int = Field(default=120, description="Dense and lexical candidates per request.")
    min_days_before_deadline: int = 2
    default_currency: str = "MAD"
    default_timezone: str = "Africa/Casablanca"

    digest_max_items: int = 10
    digest_min_score: float = 0.35

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_sender: str = "Tremplin <digest@tremplin.ma>"

    public_url: str = Field(
        default="http://127.0.0.1:8000", description="Where people reach the web pages: links in alert e-mails."
    )
    alerts_secret: str = Field(
        default="", description="Signs unsubscribe links; a secret kept in the home folder is used if empty."
    )
    alerts_max_items: int = Field(default=20, description="Tenders per alert e-mail at most.")

    cors_origins: list[str] = Field(default_factory=list)
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, description="Largest file upload (imports).")
    max_body_bytes: int = Field(default=1024 * 1024, description="Largest request body of every other route.")
    max_import_rows: int = Field(default=200_000, description="Rows per import; checked before decoding.")
    max_reject_report: int = Field(default=100, description="Rejected rows listed in an import answer.")
    session_max_age_seconds: int = Field(default=12 * 3600, description="Absolute lifetime of a web session.")
    metrics_token: str | None = Field(default=None, description="Bearer token for /metrics; see metrics_enabled.")
    metrics_enabled: bool = Field(default=False, description="/metrics answers (localhost or token) when on.")
    rate_limit_login: str = Field(default="10/minute", description="Sign-in attempts per client address.")
    rate_limit_bad_key: str = Field(default="20/minute", description="Requests with a wrong key per address.")
    rate_limit_expensive: str = Field(default="120/minute", description="Matching and search calls per key.")
    rate_limit_enabled: bool = True
    session_secret: str = Field(default="", description="Signs web session cookies; random if empty.")

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'tremplin.db').resolve()}"

    @property
    def index_dir(self) -> Path:
        """The snapshot folder: `snapshot_dir` when set (shared by replicas), else under the home."""
        return self.snapshot_dir if self.snapshot_dir is not None else self.home / "indexes"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    def ensure_home(self) -> None:
        for folder in (self.home, self.index_dir, self.cache_dir):
            folder.mkdir(parents=True, exist_ok=True)


DEFAULT_HOME = Path("var")
DATABASE_FILE = "tremplin.db"


def find_home(start: Path | None = None) -> Path | None:
    """The nearest `var/` holding a Tremplin database, from `start` (the current folder) upwards."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / DEFAULT_HOME / DATABASE_FILE).is_file():
            return folder / DEFAULT_HOME
    return None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings from the environment. Without `TREMPLIN_HOME`, a command started in a sub-folder of
    the project uses the project's `var/` (the nearest one above holding a database)."""
    settings = Settings()
    if "TREMPLIN_HOME" not in os.environ and settings.home == DEFAULT_HOME and not DEFAULT_HOME.exists():
        found = find_home()
        if found is not None:
            settings = settings.model_copy(update={"home": found})
    return settings
