# Convenience targets for developers; the README's two commands are scripts/run.sh and
# scripts/test.sh, which install the Debian packages they need (scripts/bootstrap.sh) first.
.PHONY: run build test format tidy

build:
	scripts/bootstrap.sh
	cmake --preset dev
	cmake --build --preset dev --target poise

run:
	scripts/run.sh

test:
	scripts/test.sh

format:
	git ls-files '*.cpp' '*.h' | xargs clang-format -i

tidy:
	tools/run-clang-tidy.sh
