PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

DATA ?= ../shared/data

.PHONY: install test demo bench model clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

test: install
	$(BIN)/python -m pytest -q

demo: install
	bash labels/examples/demo.sh

bench: install
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python bench/topic.py --out bench/out/topic.md
	$(BIN)/python bench/topic.py --cv 5 --sets thucnews_articles --out bench/out/topic_cv.md

model: install
	$(BIN)/python models/build.py --data $(DATA) --out models/default

clean:
	rm -rf $(VENV) build *.egg-info
