# Convenience targets; the README's two commands are `make run` and `make test`.
.PHONY: run build test format tidy

build:
	scripts/bootstrap.sh
	cmake --preset dev
	cmake --build --preset dev --target poise

run: build
	./build/poise serve

test:
	scripts/test.sh

format:
	git ls-files '*.cpp' '*.h' | xargs clang-format -i

tidy:
	tools/run-clang-tidy.sh
