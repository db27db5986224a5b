# mirloop developer commands. From a fresh clone:
#   make demo   set everything up and run the feedback loop on the bundled example
#   make test   set everything up and run ruff, mypy and pytest
# Set-up is idempotent: it reruns only when a pyproject.toml changes (see STAMP).

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null || echo python3.11)
VENV ?= .venv
BIN := $(VENV)/bin
EXAMPLE_PLUGIN := examples/mirloop-example-plugin
# Debian packages the optional parts of mirloop use (GM sound fonts for the renderer: FluidR3 is
# its default, the others are drawn by domain-randomised renders and skipped when missing;
# espeak-ng speaks the vocal line of the separation tests; openmpt123 renders the tracker modules
# of the real-music development set; chromium and its driver run the web app's browser tests).
APT_PACKAGES ?= fluid-soundfont-gm timgm6mb-soundfont musescore-general-soundfont-small opl3-soundfont \
	csound-soundfont espeak-ng openmpt123 chromium chromium-driver
PYTEST_WORKERS ?= 2
DEMO_INPUT ?= examples/audio
DEMO_OUTPUT ?= demo-output
# The labelled real-music development set (devsets/real_music): where it is built, where the
# Debian packages it is made from are cached, and the music21 whose corpus it renders.
REAL_DEV ?= real-dev-set
REAL_DEV_CACHE ?= $(HOME)/.cache/mirloop/real-dev
MUSIC21 ?= music21==10.5.1
# The annotated development sets (devsets/annotated): renders with exact key and tempo, spliced real tracks.
ANNOTATED_DEV ?= annotated-dev-set

PEER_PLUGINS := essentia madmom spleeter musicnn tempocnn
PYPROJECTS := pyproject.toml $(EXAMPLE_PLUGIN)/pyproject.toml $(wildcard plugins/*/pyproject.toml)
STAMP := $(VENV)/.installed-$(shell cat $(PYPROJECTS) 2>/dev/null | (sha256sum 2>/dev/null || shasum -a 256) | cut -c1-16)

export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help install apt demo test lint typecheck pytest fuzz bench bench-long bench-real bench-annotated clean spleeter-env musicnn-weights real-dev annotated-dev

help:
	@echo "make demo       set up .venv and run the loop on $(DEMO_INPUT) into $(DEMO_OUTPUT)/ (report and renders)"
	@echo "make test       set up .venv, then ruff, mypy and pytest -n $(PYTEST_WORKERS)"
	@echo "make fuzz       property-based fuzzing of the loaders, 2,500 cases per fuzzer (tests/fuzz)"
	@echo "make bench      analysis speed and memory, and 1→2-worker and Dask scaling (benchmarks/README.md)"
	@echo "make bench-long peak memory of analysing 1-h and 3-h files (benchmarks/bench_long_input.py)"
	@echo "make bench-real renders heard as their genre, and genre agreement on the real-music set"
	@echo "make bench-annotated  every tempo, key and segmenter backend against the goals on the annotated sets"
	@echo "make install    only the set-up (Debian packages when root, .venv, editable installs)"
	@echo "make spleeter-env  spleeter's own TensorFlow environment (about 2.4 GB; used by make test)"
	@echo "make musicnn-weights  export musicnn's models to NumPy once (part of make install)"
	@echo "make real-dev   fetch and build the labelled real-music development set into \$$REAL_DEV"
	@echo "                (default $(REAL_DEV); see devsets/real_music/README.md)"
	@echo "make annotated-dev  build the annotated sets (exact key, tempo, beats, joins, strains) into \$$ANNOTATED_DEV"
	@echo "                (default $(ANNOTATED_DEV); see devsets/annotated/README.md)"
	@echo "make clean      remove .venv and generated output"

install: $(STAMP)

$(STAMP):
	@$(MAKE) --no-print-directory apt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev,serve,distributed]"
	$(BIN)/pip install --quiet --no-deps tinysoundfont
	$(BIN)/pip install --quiet -e $(EXAMPLE_PLUGIN)
	VENV=$(VENV) sh plugins/install.sh $(PEER_PLUGINS)
	$(BIN)/python .ci/warm_numba_cache.py
	@rm -f $(VENV)/.installed-*
	@touch $@
	@echo "mirloop is installed in $(VENV)"

# Debian packages: installed only when apt-get exists and we are root; otherwise a note and go on.
# Also installs the venv module when the chosen Python lacks it (Debian splits it out).
apt:
	@missing=""; \
	for pkg in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q "ok installed" || missing="$$missing $$pkg"; \
	done; \
	if ! $(PYTHON) -c "import ensurepip, venv" >/dev/null 2>&1; then missing="$$missing python3.11 python3.11-venv"; fi; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
	  echo "note: no apt-get; install these yourself if you need them:$$missing"; \
	elif [ "$$(id -u)" != 0 ]; then \
	  echo "note: not root; skipping Debian packages (sudo make apt installs them):$$missing"; \
	else \
	  echo "installing Debian packages:$$missing"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  { apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null; } \
	    || echo "warning: apt-get could not install$$missing; the parts that need them will be skipped"; \
	fi

# The loop on the bundled example: separate, analyse, render single- and multi-region, re-classify;
# it ends with where the HTML report is and one line per render.
demo: install
	@rm -rf $(DEMO_OUTPUT)
	$(BIN)/mirloop loop $(DEMO_INPUT) --output $(DEMO_OUTPUT) --list-renders

lint: install
	$(BIN)/ruff check .

typecheck: install
	$(BIN)/mypy src/mirloop $(EXAMPLE_PLUGIN)/src benchmarks/tracks.py benchmarks/bench_analysis.py benchmarks/naive_recipe.py \
		benchmarks/bench_scale.py benchmarks/ab_cpu.py benchmarks/bench_annotated.py docs/examples/loudness_plugin.py
	for p in $(PEER_PLUGINS); do $(BIN)/mypy plugins/mirloop-$$p/src || exit 1; done

# spleeter pins TensorFlow and an old NumPy: it runs in its own environment, made once.
SPLEETER_STAMP := $(VENV)/.spleeter-env-ready
spleeter-env: $(SPLEETER_STAMP)

$(SPLEETER_STAMP): $(STAMP)
	$(BIN)/mirloop-spleeter setup
	@touch $@

# musicnn's TensorFlow-1 checkpoints are exported to NumPy once (plugins/install.sh runs this
# during install); the target re-checks the export, and redoes it if the cache was removed.
musicnn-weights: install
	$(BIN)/mirloop-musicnn setup

pytest: install $(SPLEETER_STAMP) musicnn-weights
	$(BIN)/pytest -n $(PYTEST_WORKERS) tests $(EXAMPLE_PLUGIN)/tests $(addsuffix /tests,$(addprefix plugins/mirloop-,$(PEER_PLUGINS)))

test: lint typecheck pytest

# The fuzzers of tests/fuzz run in make test too, with a few cases each (hypothesis profile "ci");
# here with the "fuzz" profile: 2,500 random cases per fuzzer, more than 10,000 in all. The audio
# fuzzer also mutates real clips from FUZZ_AUDIO when that folder exists.
FUZZ_AUDIO ?= $(REAL_DEV)
fuzz: install
	MIRLOOP_FUZZ_AUDIO=$(FUZZ_AUDIO) $(BIN)/pytest -n $(PYTEST_WORKERS) tests/fuzz \
		--hypothesis-profile=fuzz --hypothesis-show-statistics

bench: install
	$(BIN)/python benchmarks/bench_analysis.py
	$(BIN)/python benchmarks/bench_scale.py

# Peak memory of mirloop analyze on near-silent 1-h and 3-h FLAC files against a 10-min one (~15 min).
bench-long: install
	nice -n 10 $(BIN)/python benchmarks/bench_long_input.py --check

# The tempo, key and boundary goals of the analysis on the annotated development sets (make
# annotated-dev first): every installed backend, its distance from each goal (about 11 min).
bench-annotated: install
	@if [ -f "$(ANNOTATED_DEV)/manifest.csv" ]; then \
	  nice -n 10 $(BIN)/python benchmarks/bench_annotated.py "$(ANNOTATED_DEV)" --figure annotated-goals.png; \
	else echo "no $(ANNOTATED_DEV)/manifest.csv: run make annotated-dev to build the annotated sets"; fi

# Real music: renders heard as their own genre by the real-music tagger (5 descriptors per genre),
# and every classifier's genre agreement on the labelled development set (make real-dev first).
bench-real: install
	$(BIN)/python benchmarks/bench_genre_heard.py --per-genre 5 --figure genre-heard.png
	$(BIN)/python benchmarks/bench_genre_heard.py --per-genre 5 --render-set production=gm \
	  --figure genre-heard-gm.png
	@if [ -f "$(REAL_DEV)/manifest.csv" ]; then \
	  $(BIN)/python benchmarks/bench_real_music.py "$(REAL_DEV)/manifest.csv" --workers 2; \
	else echo "no $(REAL_DEV)/manifest.csv: run make real-dev to build the development set"; fi

real-dev: install
	@$(BIN)/python -c "import music21" 2>/dev/null || $(BIN)/pip install --quiet "$(MUSIC21)"
	nice -n 10 $(BIN)/python devsets/real_music/build.py --out $(REAL_DEV) --cache $(REAL_DEV_CACHE)

annotated-dev: install
	@$(BIN)/python -c "import music21" 2>/dev/null || $(BIN)/pip install --quiet "$(MUSIC21)"
	nice -n 10 $(BIN)/python devsets/annotated/build.py --out $(ANNOTATED_DEV) --real-cache $(REAL_DEV_CACHE)

clean:
	rm -rf $(VENV) $(DEMO_OUTPUT) .pytest_cache .mypy_cache .ruff_cache
