"""A Dagster logger that shows a refresh's progress in a terminal, one short line per event.

The default console logger prints every dbt log line; a commissioner's
analyst wants to see what is being built and what failed.
"""

import logging
import sys
import time

import dagster as dg

_START = time.monotonic()


class ProgressHandler(logging.Handler):
    def __init__(self, stream=None):
        super().__init__(level=logging.DEBUG)
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self.shown: set[tuple[str, str]] = set()  # a partitioned asset materialises once per partition

    def _line(self, text: str) -> None:
        import shutil

        # One line per event, cut to the terminal: the whole text is in the summary and the log.
        line = f"[{time.monotonic() - self.started:6.1f}s] {' '.join(text.split())}"
        width = shutil.get_terminal_size((120, 24)).columns
        if len(line) > width:
            line = line[: width - 1] + "…"
        self.stream.write(f"{line}\n")
        self.stream.flush()

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        if event is None:
            if record.levelno >= logging.WARNING:
                message = meta.get("orig_message") or record.getMessage()
                self._line(f"  ! {message.splitlines()[0][:200]}")
            return
        kind = event.event_type_value
        if kind == "STEP_START":
            self._line(f"▶ {event.step_key}")
        elif kind == "ASSET_MATERIALIZATION":
            materialization = event.event_specific_data.materialization
            key = (event.step_key or "", materialization.asset_key.to_user_string())
            if key in self.shown:
                return
            self.shown.add(key)
            rows = materialization.metadata.get("rows")
            detail = f"  {rows.value} rows" if rows is not None else ""
            self._line(f"  ✓ {materialization.asset_key.to_user_string()}{detail}")
        elif kind == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed:
                severity = "BLOCKING" if evaluation.severity == dg.AssetCheckSeverity.ERROR else "warning"
                description = (evaluation.description or "").splitlines()[0][:160] if evaluation.description else ""
                self._line(
                    f"  ✗ {severity} check {evaluation.asset_key.to_user_string()}:{evaluation.check_name} {description}"
                )
        elif kind == "STEP_FAILURE":
            error = event.event_specific_data.error
            message = error.message.strip().splitlines()[0] if error else "failed"
            self._line(f"  ✗ {event.step_key} failed: {message[:300]}")


@dg.logger(description="One line per step, asset and failed check, for the opcc command.")
def progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.getLogger(f"opcc.progress.{init_context.run_id}")
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    logger.handlers = [ProgressHandler()]
    return logger


@dg.logger(description="Nothing: for runs whose caller reports on its own.")
def silent_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.getLogger(f"opcc.silent.{init_context.run_id}")
    logger.propagate = False
    logger.handlers = [logging.NullHandler()]
    return logger
