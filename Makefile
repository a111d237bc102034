# The two commands of the README, plus their parts.
EXTRAS ?= dev,local,media,oscar

.PHONY: setup demo test

setup:
	bash scripts/setup.sh $(EXTRAS)

demo: setup
	bash scripts/demo.sh

test: setup
	bash scripts/test.sh
