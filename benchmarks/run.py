"""Run every benchmark (or those matching the arguments) and keep their figures as JSON."""

import importlib.util
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def main(argv: list[str]) -> int:
    RESULTS.mkdir(exist_ok=True)
    selected = [
        path
        for path in sorted(HERE.glob("bench_*.py"))
        if not argv or any(word in path.stem for word in argv)
    ]
    if not selected:
        print("no benchmark matches", argv)
        return 1
    for path in selected:
        name = path.stem.removeprefix("bench_")
        print(f"== {name}")
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        started = time.perf_counter()
        figures = module.main()
        figures["_seconds"] = round(time.perf_counter() - started, 1)
        (RESULTS / f"{name}.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
